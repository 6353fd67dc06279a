// What a failed request costs the gateway's event loop when it comes after a busy window of
// successes, as in the first moments of an outage (the breaker reads its window's stats on every
// failure to decide whether to open): the gateway's breaker options, and the same with opossum's
// default latency percentiles on. Prints figures; no pass/fail.
// Run: npm run build && npm run bench:breaker
import { performance } from 'node:perf_hooks';
import CircuitBreaker from 'opossum';
import { breakerOptions } from '../../api-gateway/dist/routing/upstream-pool.js';

const WINDOW_REQUESTS = Number(process.env.BENCH_WINDOW_REQUESTS ?? 100_000);
const FAILURES = Number(process.env.BENCH_FAILURES ?? 200);
const settings = { timeoutMs: 5_000, resetMs: 10_000, errorPercent: 50, volume: 5 };

async function measure(name: string, options: CircuitBreaker.Options): Promise<void> {
  // The action settles at once: what is measured is the breaker's own work.
  const breaker = new CircuitBreaker(async (fail: boolean) => {
    if (fail) throw new Error('upstream refused the connection');
  }, options);
  let started = performance.now();
  for (let i = 0; i < WINDOW_REQUESTS; i++) await breaker.fire(false);
  const successUs = ((performance.now() - started) * 1000) / WINDOW_REQUESTS;
  let slowestMs = 0;
  started = performance.now();
  for (let i = 0; i < FAILURES; i++) {
    const failureStarted = performance.now();
    await breaker.fire(true).catch(() => undefined);
    slowestMs = Math.max(slowestMs, performance.now() - failureStarted);
  }
  const failureMs = (performance.now() - started) / FAILURES;
  const state = breaker.opened ? 'open' : 'closed';
  breaker.shutdown();
  console.log(
    `${name.padEnd(34)} ${successUs.toFixed(2).padStart(8)} µs ${failureMs.toFixed(3).padStart(10)} ms ${slowestMs.toFixed(3).padStart(10)} ms   ${state}`,
  );
}

console.log(`${WINDOW_REQUESTS} successes, then ${FAILURES} failures, within one 10 s window\n`);
console.log(`${'breaker'.padEnd(34)} ${'success'.padStart(11)} ${'failure'.padStart(13)} ${'slowest'.padStart(13)}   after`);
const ours = breakerOptions('bench', settings);
await measure('gateway (percentiles off)', ours);
await measure("opossum's default (percentiles on)", { ...ours, rollingPercentilesEnabled: true });
