import { createRedis, requireRedis } from '@qc/shared/redis';
import { closedPort, memoryLogger } from '@qc/shared/testing';

describe('createRedis', () => {
  it('when Redis cannot be reached, then a command fails fast instead of queueing', async () => {
    const redis = createRedis(`redis://127.0.0.1:${await closedPort()}`, memoryLogger('redis-test').logger);
    try {
      const started = Date.now();
      await expect(redis.ping()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      redis.disconnect();
    }
  });

  it('when connecting keeps failing, then one structured warning is logged, not one per attempt', async () => {
    const { logger, lines } = memoryLogger('redis-test');
    const attempts = 5;
    const redis = createRedis(`redis://127.0.0.1:${await closedPort()}`, logger, {
      retryStrategy: (attempt) => (attempt <= attempts ? 10 : null),
    });
    // Not events.once, which would reject on the first 'error'.
    const givenUp = new Promise((resolve) => redis.once('end', resolve));
    await expect(redis.connect()).rejects.toThrow();
    await givenUp;
    const warnings = lines().filter((line) => line.msg === 'Redis connection failed; reconnecting');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', err: { message: expect.stringContaining('ECONNREFUSED') } });
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
