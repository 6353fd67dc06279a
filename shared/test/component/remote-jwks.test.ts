import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { ACCESS_TOKEN_ALGORITHM, type RemoteKeySet, RevocationList, TokenVerifier, remoteJwks } from '@qc/shared/auth';
import { createRedis, type Redis } from '@qc/shared/redis';
import { TEST_REDIS_URL, eventually, memoryLogger } from '@qc/shared/testing';

/** A JWKS endpoint whose keys the test publishes and retires, counting how often it is asked. */
class KeyPublisher {
  requests = 0;
  down = false;
  private readonly published = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();
  private readonly server: Server = createServer((_req, res) => {
    this.requests++;
    if (this.down) return void res.writeHead(503).end();
    const keys = [...this.published].map(([kid, { publicKey }]) => ({
      ...publicKey.export({ format: 'jwk' }),
      kid,
      alg: 'ES256',
      use: 'sig',
    }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  /** Adds a key to the set; returns its kid. */
  publish(): string {
    const kid = `key-${randomUUID()}`;
    this.published.set(kid, generateKeyPairSync('ec', { namedCurve: 'P-256' }));
    return kid;
  }

  retire(kid: string): void {
    this.published.delete(kid);
  }

  /** A customer token signed with a published key, or with a key nobody published under a made-up kid. */
  token(kid: string): string {
    const privateKey = this.published.get(kid)?.privateKey ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    return jwt.sign({ role: 'customer', sid: randomUUID() }, privateKey, {
      algorithm: ACCESS_TOKEN_ALGORITHM,
      keyid: kid,
      subject: randomUUID(),
      issuer: 'quickcommerce',
      audience: 'quickcommerce-api',
      expiresIn: 300,
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('remote signing keys (RemoteKeySet)', () => {
  let publisher: KeyPublisher;
  let redis: Redis;
  let revocations: RevocationList;
  const keySets: RemoteKeySet[] = [];

  beforeAll(async () => {
    const { logger } = memoryLogger('remote-jwks-test');
    redis = createRedis(TEST_REDIS_URL, logger);
    await redis.connect();
    revocations = new RevocationList(redis, logger);
    await revocations.start();
  });

  afterAll(async () => {
    await revocations.stop();
    await redis.quit();
  });

  beforeEach(async () => {
    publisher = await new KeyPublisher().start();
  });

  afterEach(async () => {
    for (const keys of keySets.splice(0)) keys.stop();
    await publisher.close();
  });

  const verifierFor = (options: ConstructorParameters<typeof RemoteKeySet>[1]) => {
    const keys = remoteJwks(publisher.url, options);
    keySets.push(keys);
    return { keys, verifier: new TokenVerifier({ keys, issuer: 'quickcommerce', audience: 'quickcommerce-api', revocations }) };
  };

  const outcome = (verifier: TokenVerifier, token: string) =>
    verifier.verify(token).then(
      () => 'valid',
      (err: { code?: string }) => err.code,
    );

  it('when a flood of made-up kids comes before a rotation, then the JWKS is asked at most once for them, and the new key verifies after the next refresh', async () => {
    const current = publisher.publish();
    const { verifier } = verifierFor({ refreshMs: 300, minFetchGapMs: 60_000 });
    expect(await outcome(verifier, publisher.token(current))).toBe('valid');
    const first = publisher.requests;

    for (let i = 0; i < 50; i++) expect(await outcome(verifier, publisher.token(`made-up-${i}`))).toBe('INVALID_TOKEN');
    expect(publisher.requests - first).toBeLessThanOrEqual(1);

    // user-service publishes the next key ahead of signing with it; verifiers pick it up on their timer.
    const next = publisher.publish();
    const verified = await eventually(async () => (await outcome(verifier, publisher.token(next))) === 'valid', 3_000, 50);
    expect(verified).toBe(true);
  });

  it('when the same unknown kid comes again, then it is answered as a miss without asking the JWKS', async () => {
    publisher.publish();
    const { keys } = verifierFor({ refreshMs: 60_000, minFetchGapMs: 0 });
    expect(await keys.publicKey('no-such-key')).toBeUndefined();
    const asked = publisher.requests;
    for (let i = 0; i < 20; i++) expect(await keys.publicKey('no-such-key')).toBeUndefined();
    expect(publisher.requests).toBe(asked);
  });

  it('when a key is dropped from the set, then it stops verifying at the next refresh', async () => {
    const kid = publisher.publish();
    const { keys } = verifierFor({ refreshMs: 200 });
    expect(await keys.publicKey(kid)).toBeDefined();
    publisher.retire(kid);
    expect(await eventually(async () => (await keys.publicKey(kid)) === undefined, 3_000, 50)).toBe(true);
  });

  it('when the JWKS is down, then keys in hand keep verifying, and with none in hand the answer is 503 until it is back', async () => {
    const kid = publisher.publish();
    const { verifier: warm } = verifierFor({ refreshMs: 100 });
    expect(await outcome(warm, publisher.token(kid))).toBe('valid');
    publisher.down = true;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await outcome(warm, publisher.token(kid))).toBe('valid');

    const { verifier: cold } = verifierFor({ refreshMs: 60_000, minFetchGapMs: 0 });
    expect(await outcome(cold, publisher.token(kid))).toBe('AUTH_UNAVAILABLE');
    publisher.down = false;
    expect(await outcome(cold, publisher.token(kid))).toBe('valid');
  });
});
