import { randomBytes, randomUUID } from 'node:crypto';
import { RevocationList } from '@qc/shared/auth';
import { createRedis, type Redis } from '@qc/shared/redis';
import { TEST_REDIS_URL, eventually, memoryLogger } from '@qc/shared/testing';

/**
 * REDIS_KEY_PREFIX lets two fleets share one Redis (the end-to-end tests run theirs beside `make
 * run`'s): every key a client writes, and the revocation channel, carry the prefix.
 */
describe('a Redis key prefix', () => {
  const { logger } = memoryLogger('redis-prefix-test');
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  const clients: Redis[] = [];
  const lists: RevocationList[] = [];
  const client = async (keyPrefix: string) => {
    const redis = createRedis({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: keyPrefix }, logger);
    clients.push(redis);
    await redis.connect();
    return redis;
  };
  const revocationList = async (redis: Redis) => {
    const list = new RevocationList(redis, logger);
    lists.push(list);
    await list.start();
    return list;
  };

  afterAll(async () => {
    await Promise.all(lists.map((list) => list.stop()));
    const bare = clients[0]!;
    const keys = await bare.keys(`${prefix}*`);
    if (keys.length > 0) await bare.del(...keys);
    await Promise.all(clients.map((redis) => redis.quit()));
  });

  it('when a prefixed client writes keys, in commands, transactions and scripts, then they are stored under the prefix', async () => {
    const bare = await client('');
    const prefixed = await client(prefix);
    const key = `key-${randomUUID()}`;
    await prefixed.set(key, 'value');
    await prefixed.multi().incr(`${key}:counted`).exec();
    await prefixed.eval("return redis.call('SET', KEYS[1], ARGV[1])", 1, `${key}:scripted`, 'by script');
    expect(await bare.mget(`${prefix}${key}`, `${prefix}${key}:counted`, `${prefix}${key}:scripted`)).toEqual(['value', '1', 'by script']);
    expect(await bare.exists(key, `${key}:counted`, `${key}:scripted`)).toBe(0);
    expect(await prefixed.get(key)).toBe('value');
  });

  it('when a session is ended under one prefix, then processes under it hear of it and others, unprefixed included, do not', async () => {
    const ending = await revocationList(await client(prefix));
    const sameFleet = await revocationList(await client(prefix));
    const otherFleet = await revocationList(await client(''));
    const sessionId = randomUUID();
    await ending.revokeSessions([sessionId]);
    await eventually(async () => sameFleet.isRevoked({ sessionId }), 5_000, 20);
    // A message on the shared channel would have arrived within the same wait; give it as long again.
    await new Promise((r) => setTimeout(r, 200));
    expect(otherFleet.isRevoked({ sessionId })).toBe(false);
    expect(await clients[0]!.zscore(`${prefix}auth:revocations`, sessionId)).not.toBeNull();
    expect(await clients[0]!.zscore('auth:revocations', sessionId)).toBeNull();
  });
});
