import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Options } from 'express-rate-limit';
import { createLogger } from '@qc/shared/logging';
import type { Redis } from '@qc/shared/redis';
import { TEST_REDIS_URL } from '@qc/shared/testing';
import { createGatewayRedis } from '../../src/rate-limit';
import { SyncedRedisStore } from '../../src/synced-store';

/** The only option the store reads from express-rate-limit. */
const withWindow = (windowMs: number) => ({ windowMs }) as Options;

describe('SyncedRedisStore on the real Redis', () => {
  const clients: Redis[] = [];
  const stores: SyncedRedisStore[] = [];

  async function store(prefix: string, windowMs = 30_000): Promise<{ store: SyncedRedisStore; redis: Redis }> {
    const logger = createLogger('synced-store-test', 'silent');
    const redis = createGatewayRedis(TEST_REDIS_URL, logger);
    await redis.connect();
    clients.push(redis);
    // A sync interval no test waits for: each test syncs when it means to.
    const created = new SyncedRedisStore({ redis, prefix, syncMs: 60_000, logger });
    created.init(withWindow(windowMs));
    stores.push(created);
    return { store: created, redis };
  }

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.shutdown()));
    await Promise.all(clients.splice(0).map((c) => (c.status === 'ready' ? c.quit() : c.disconnect())));
  });

  it('when two replicas count one client and sync, then each reads the total, and Redis holds it with the window as its expiry', async () => {
    const prefix = `test:synced:${randomUUID()}:`;
    const [a, b] = [await store(prefix), await store(prefix)];
    for (let i = 0; i < 3; i++) a.store.increment('client');
    b.store.increment('client');
    await a.store.sync();
    await b.store.sync();
    expect(b.store.increment('client').totalHits).toBe(5);
    await a.store.sync(); // nothing unsent on a: its view stays as of its last sync
    expect(a.store.get('client')?.totalHits).toBe(3);
    expect(Number(await a.redis.get(`${prefix}client`))).toBe(4);
    const ttl = await a.redis.pttl(`${prefix}client`);
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('when the window ends, then counting starts again from one', async () => {
    const { store: short } = await store(`test:synced:${randomUUID()}:`, 150);
    short.increment('client');
    expect(short.increment('client').totalHits).toBe(2);
    await short.sync();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(short.increment('client').totalHits).toBe(1);
  });

  it('when Redis is unreachable during a sync, then the hits stay counted here and are added once it is back', async () => {
    const prefix = `test:synced:${randomUUID()}:`;
    const { store: replica, redis } = await store(prefix);
    replica.increment('client');
    redis.disconnect();
    await once(redis, 'end');
    await replica.sync();
    expect(replica.increment('client').totalHits).toBe(2);
    await redis.connect();
    await replica.sync();
    expect(Number(await redis.get(`${prefix}client`))).toBe(2);
    expect(replica.get('client')?.totalHits).toBe(2);
  });

  it('when a client is reset, then its count is gone here and in Redis', async () => {
    const prefix = `test:synced:${randomUUID()}:`;
    const { store: replica, redis } = await store(prefix);
    replica.increment('client');
    await replica.sync();
    await replica.resetKey('client');
    expect(replica.get('client')).toBeUndefined();
    expect(await redis.exists(`${prefix}client`)).toBe(0);
  });
});
