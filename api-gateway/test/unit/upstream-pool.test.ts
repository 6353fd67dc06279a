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

  it('when a breaker reads its stats (on every failure), then it does not sort the latencies of its window', () => {
    const { stats } = pool.instances[0]!.breaker;
    // -1 is opossum's answer when percentiles are off; on, each failure sorted every latency of the last 10 s.
    expect(stats.latencyMean).toBe(-1);
    expect(new Set(Object.values(stats.percentiles))).toEqual(new Set([-1]));
  });
});
