import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRedis } from '@qc/shared/redis';

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
