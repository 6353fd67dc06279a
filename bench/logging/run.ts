// What one log line costs: the access-log line every request writes, through the shared logger
// (redaction by key name, request context), against bare pino. Prints µs per line; no pass/fail.
// Run: npm run build && node bench/logging/run.ts
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createLogger, runWithContext } from '@qc/shared/logging';

const LINES = Number(process.env.BENCH_LINES ?? 200_000);
const line = { method: 'GET', url: '/api/v1/products?category=dairy', statusCode: 200, durationMs: 1.23 };
const withSecret = { ...line, body: { user: { password: 'hunter2', address: { city: 'Bengaluru' } } } };

function measure(name: string, write: () => void): void {
  for (let i = 0; i < 5_000; i++) write();
  const started = performance.now();
  for (let i = 0; i < LINES; i++) write();
  console.log(`${name.padEnd(44)} ${(((performance.now() - started) * 1000) / LINES).toFixed(2).padStart(7)} µs/line`);
}

const devNull = () => pino.destination({ dest: '/dev/null', sync: true });
const shared = createLogger('bench', 'info', devNull());
const bare = pino({ base: { service: 'bench' }, timestamp: pino.stdTimeFunctions.isoTime }, devNull());

runWithContext({ requestId: '0190b0e2-7f3c-7a51-9d2e-3c4b5a6d7e8f' }, () => {
  measure('bare pino, access line', () => bare.info(line, 'request completed'));
  measure('shared logger, access line', () => shared.info(line, 'request completed'));
  measure('shared logger, line with a nested secret', () => shared.info(withSecret, 'request completed'));
});
