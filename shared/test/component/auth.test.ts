import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import request from 'supertest';
import { RevocationList, TokenVerifier, allow, anyone, authenticate, principalOf, remoteJwks } from '@qc/shared/auth';
import { createHttpApp, ok } from '@qc/shared/http';
import { Metrics } from '@qc/shared/metrics';
import { createRedis, type Redis } from '@qc/shared/redis';
import { TEST_REDIS_URL, TestTokenIssuer, eventually, memoryLogger } from '@qc/shared/testing';

/**
 * The zero-trust check every service runs (shared createHttpApp + authenticate + allow), against a
 * real JWKS endpoint and the real Redis revocation channel.
 */
let issuer: TestTokenIssuer;
let redis: Redis;
let revocations: RevocationList;
let otherProcess: RevocationList;
let api: () => ReturnType<typeof request>;

beforeAll(async () => {
  issuer = await TestTokenIssuer.start();
  const { logger } = memoryLogger('auth-test');
  redis = createRedis(TEST_REDIS_URL, logger);
  await redis.connect();
  revocations = new RevocationList(redis, logger);
  otherProcess = new RevocationList(redis, logger);
  await Promise.all([revocations.start(), otherProcess.start()]);
  const verifier = new TokenVerifier({
    keys: remoteJwks(issuer.jwksUrl),
    issuer: 'quickcommerce',
    audience: 'quickcommerce-api',
    revocations,
  });
  const routes = Router()
    .get('/public', anyone, (req, res) => void res.json(ok({ signedIn: req.principal !== undefined })))
    .get('/mine', allow('customer', 'admin'), (req, res) => void res.json(ok(principalOf(req))))
    .get('/admin', allow('admin'), (_req, res) => void res.json(ok('admin only')));
  const app = createHttpApp({
    logger,
    metrics: new Metrics('auth-test'),
    bodyLimit: '1kb',
    authenticate: authenticate(verifier),
    routes: [routes],
  });
  api = () => request(app);
}, 30_000);

afterAll(async () => {
  await Promise.all([revocations.stop(), otherProcess.stop()]);
  await redis.quit();
  await issuer.close();
});

describe('access rules', () => {
  it('when a valid customer token is sent, then the route sees who is calling', async () => {
    const userId = randomUUID();
    const res = await api().get('/mine').set('authorization', issuer.bearer({ userId }));
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ userId, role: 'customer' });
  });

  it('when no token is sent, then a guarded route answers 401 with a Bearer challenge and a public one answers', async () => {
    const res = await api().get('/mine');
    expect(res.status).toBe(401);
    expect(res.body.errorCode).toBe('AUTHENTICATION_REQUIRED');
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect((await api().get('/public')).body.data).toEqual({ signedIn: false });
  });

  it('when a customer calls an admin route, then 403', async () => {
    expect((await api().get('/admin').set('authorization', issuer.bearer())).status).toBe(403);
    expect(
      (
        await api()
          .get('/admin')
          .set('authorization', issuer.bearer({ role: 'admin' }))
      ).status,
    ).toBe(200);
  });

  it('when a broken token is sent to a public route, then it is answered as anonymous', async () => {
    const res = await api().get('/public').set('authorization', `Bearer ${issuer.forgedTokens().expired}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ signedIn: false });
  });
});

describe('forged and broken tokens', () => {
  const cases = [
    'algNone',
    'expired',
    'wrongIssuer',
    'wrongAudience',
    'hs256SignedWithPublicKey',
    'tamperedRole',
    'unknownKid',
    'livesTooLong',
    'notAJwt',
  ];

  it.each(cases)('when the token is %s, then 401 with an invalid_token challenge', async (name) => {
    const token = issuer.forgedTokens()[name]!;
    const res = await api().get('/mine').set('authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.errorCode).toMatch(/^(INVALID_TOKEN|TOKEN_EXPIRED)$/);
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('when the tampered token asks for an admin route, then 401, not 403 or 200', async () => {
    const res = await api().get('/admin').set('authorization', `Bearer ${issuer.forgedTokens().tamperedRole}`);
    expect(res.status).toBe(401);
  });
});

describe('revocation', () => {
  it('when a session is revoked by another process, then its tokens are refused here within moments', async () => {
    const sessionId = randomUUID();
    const bearer = issuer.bearer({ sessionId });
    expect((await api().get('/mine').set('authorization', bearer)).status).toBe(200);
    await otherProcess.revokeSessions([sessionId]);
    const refused = await eventually(
      async () => {
        const res = await api().get('/mine').set('authorization', bearer);
        return res.status === 401 && res.body.errorCode;
      },
      2_000,
      20,
    );
    expect(refused).toBe('TOKEN_REVOKED');
    expect((await api().get('/mine').set('authorization', issuer.bearer())).status).toBe(200);
  });

  it('when a process starts after a revocation, then it loads it from Redis', async () => {
    const sessionId = randomUUID();
    await otherProcess.revokeSessions([sessionId]);
    const late = new RevocationList(redis, memoryLogger('late').logger);
    await late.start();
    try {
      expect(late.isRevoked({ sessionId })).toBe(true);
      expect(late.isRevoked({ sessionId: randomUUID() })).toBe(false);
    } finally {
      await late.stop();
    }
  });
});
