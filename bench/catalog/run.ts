/**
 * `npm run bench:catalog`: the catalog through the gateway, with the whole fleet up. Starts the
 * eleven processes (as `make run` does, at a port offset, the rate limit out of the way), then wrk
 * (1 thread, 50 connections) measures, through the gateway:
 * - cached listing: one category page, the same query every time (the gateway's cache answers it);
 * - the same with `Cache-Control: no-cache` from the client: forwarded, product-service answers from Redis;
 * - uncached listing: the same page with a different price floor on every request (Redis misses);
 * - cached and uncached search (`q=`), the same way;
 * - listing with live stock at the caller's point (lat/lng: location + inventory on every request).
 * Needs `npm run build`, the demo data (`make seed`), MySQL, Redis, Kafka and wrk. Prints figures,
 * never fails on them (DESIGN §9); the target is a figure: ≥ 3 000 req/s for the cached listing.
 */
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { FleetProcesses, GATEWAY, portOf } from '@qc/shared/fleet';
import { ROUNDS, measure, printTable, saveResults, summarise, type LoadShape, type Measurement, type Server } from '../lib/load.ts';

const PORT_OFFSET = 20_000;
const TARGET_CACHED_RPS = 3_000;
const root = resolve(import.meta.dirname, '../..');
const vary = join(import.meta.dirname, 'vary.lua');

const listing = '/api/v1/products?category=dairy-bread-and-eggs&limit=20';
const search = '/api/v1/products?q=milk&limit=20';
const cases: { name: string; path: string; shape: LoadShape }[] = [
  { name: 'listing, cached', path: listing, shape: {} },
  // The client refuses cached answers, so the gateway forwards; product-service answers from Redis.
  { name: 'listing, cached in Redis only', path: listing, shape: { headers: { 'cache-control': 'no-cache' } } },
  { name: 'listing, uncached', path: listing, shape: { script: vary, args: [listing] } },
  { name: 'search, cached', path: search, shape: {} },
  { name: 'search, uncached', path: search, shape: { script: vary, args: [search] } },
  { name: 'listing with live stock (lat/lng)', path: `${listing}&lat=12.9352&lng=77.6245`, shape: {} },
];

async function main(): Promise<void> {
  const fleet = new FleetProcesses({
    root,
    logDir: join(root, '.infra', 'logs', 'bench-catalog'),
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', RATE_LIMIT_MAX: String(1_000_000_000) },
    portOffset: PORT_OFFSET,
    onProgress: (line) => console.log(line),
  });
  try {
    await fleet.start();
    const gateway: Server = { url: `http://127.0.0.1:${portOf(GATEWAY, PORT_OFFSET)}`, pid: fleet.pidOf(GATEWAY.name)!, info: {} };
    for (const { name, path } of cases) {
      const res = await fetch(`${gateway.url}${path}`);
      const body = (await res.json()) as { data?: unknown[]; meta?: { availability?: string } };
      if (res.status !== 200 || !body.data?.length) throw new Error(`${name}: ${res.status}; is the demo data seeded (make seed)?`);
      if (path.includes('lat=') && body.meta?.availability !== 'live') throw new Error(`${name}: availability ${body.meta?.availability}`);
    }
    console.log(`\nNode ${process.versions.node}, ${cpus().length} CPUs; ${ROUNDS} rounds, medians; CPU is the gateway's\n`);
    const runs = new Map<string, Measurement[]>(cases.map((c) => [c.name, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const { name, path, shape } of cases) {
        const run = measure(gateway, `${gateway.url}${path}`, shape);
        runs.get(name)!.push(run);
        console.log(
          `round ${round}  ${name.padEnd(36)}${run.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${run.p99Ms.toFixed(2)} ms`,
        );
      }
    }
    const summary = [...runs].map(([name, measured]) => summarise(name, measured));
    printTable('through the gateway, whole fleet up', summary);
    const cached = summary[0]!.requestsPerSecond;
    console.log(
      `\ncached listing: ${cached.toFixed(0)} req/s   target >= ${TARGET_CACHED_RPS}: ${cached >= TARGET_CACHED_RPS ? 'met' : 'MISSED'}`,
    );
    saveResults('catalog', { node: process.versions.node, cpus: cpus().length, rounds: ROUNDS, summary, runs: Object.fromEntries(runs) });
  } finally {
    await fleet.stop();
  }
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`);
  process.exitCode = 1;
});
