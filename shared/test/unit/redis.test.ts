import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRedis, requireRedis } from '@qc/shared/redis';

describe('createRedis', () => {
  it('when Redis cannot be reached, then a command fails fast instead of queueing', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));

    const redis = createRedis(`redis://127.0.0.1:${port}`);
    redis.on('error', () => undefined);
    try {
      const started = Date.now();
      await expect(redis.ping()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      redis.disconnect();
    }
  });
});

describe('requireRedis', () => {
  it('when Redis fails, then the caller gets a 503 unavailable error naming what is down', async () => {
    const failure = requireRedis(Promise.reject(new Error("Stream isn't writeable")), 'Phone sign-in');
    await expect(failure).rejects.toMatchObject({ kind: 'unavailable', code: 'DEPENDENCY_UNAVAILABLE', retryAfterSeconds: 2 });
    await expect(failure).rejects.toThrow('Phone sign-in is unavailable right now');
  });

  it('when Redis answers, then its answer passes through', async () => {
    await expect(requireRedis(Promise.resolve('OK'), 'Sign-in')).resolves.toBe('OK');
  });
});
