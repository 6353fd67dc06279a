import { Agent } from 'node:http';
import { UpstreamProxy } from '../../src/routing/proxy';
import { UpstreamInstance, UpstreamPool } from '../../src/routing/upstream-pool';

const settings = { timeoutMs: 1_000, resetMs: 10_000, errorPercent: 50, volume: 5 };

describe('upstream pool', () => {
  const agent = new Agent({ keepAlive: true });
  let pool: UpstreamPool;

  beforeEach(() => {
    const instances = ['http://10.0.0.1:8084', 'http://10.0.0.2:8084', 'http://10.0.0.3:8084'].map(
      (url) => new UpstreamInstance('order-service', new UpstreamProxy(new URL(url), { agent, bodyLimitBytes: 1024 }), settings),
    );
    pool = new UpstreamPool('order-service', instances);
  });

  afterEach(() => pool.close());
  afterAll(() => agent.destroy());

  const picks = (count: number) => Array.from({ length: count }, () => pool.pick()?.url);

  it('when every breaker is closed, then instances are taken in turn', () => {
    expect(picks(4)).toEqual(['http://10.0.0.1:8084', 'http://10.0.0.2:8084', 'http://10.0.0.3:8084', 'http://10.0.0.1:8084']);
  });

  it("when an instance's breaker is open, then it is skipped", () => {
    pool.instances[1]!.breaker.open();
    expect(picks(4)).toEqual(['http://10.0.0.1:8084', 'http://10.0.0.3:8084', 'http://10.0.0.1:8084', 'http://10.0.0.3:8084']);
  });

  it('when every breaker is open, then no instance is picked and the wait is the reset timeout', () => {
    for (const instance of pool.instances) instance.breaker.open();
    expect(pool.pick()).toBeUndefined();
    expect(pool.secondsUntilTrial()).toBe(10);
  });
});
