/**
 * `npm run bench:gateway`: what the gateway costs per request. Starts, each in its own process, a
 * tiny upstream, a bare Express + http-proxy-middleware proxy in front of it, and our gateway in
 * front of it (plus, as a diagnostic, a second gateway that also logs the requests its upstream
 * answered, LOG_RELAYED_REQUESTS=true); then wrk (1
 * thread, 50 connections) measures each after a warm-up: direct, through the bare proxy, through
 * the gateway; and, as a calibration, the bare proxy busy-waiting BENCH_BUSY_US (20) µs more per
 * request, which shows what that much added work costs in throughput on the machine at hand.
 * - Saturated: as fast as wrk can; gives throughput (and latency that is mostly queueing).
 * - Paced: each connection waits between requests (paced.lua) for BENCH_PACED_RPS in total, a load
 *   every target sustains; gives the latency a proxy really adds.
 * Targets are measured in turn, BENCH_ROUNDS times, and medians reported. Each measured server has a
 * CPU of its own while it is measured, wrk and the upstream share the others (isolate; BENCH_PIN=0
 * turns it off): unpinned, on a 2-CPU machine, one 10 s run could be off by a third. The CPU time
 * the measured process spent per request is reported too.
 * Prints figures, never fails on them (DESIGN §9). Needs `npm run build`, Redis and wrk.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  CONNECTIONS,
  DURATION_S,
  PIN,
  ROUNDS,
  WARMUP_S,
  isolate,
  measure,
  placement,
  printTable,
  saveResults,
  signed,
  startServer,
  stopServers,
  summarise,
  type Measurement,
  type Summary,
} from '../lib/load.ts';

const PACED_RPS = Number(process.env.BENCH_PACED_RPS ?? 500);
const BUSY_US = Number(process.env.BENCH_BUSY_US ?? 20);
const PATH = '/api/v1/products';
const TARGET_THROUGHPUT_RATIO = 0.8;
const TARGET_P99_ADDED_MS = 2;
const BUSY_TARGET = `bare proxy + ${BUSY_US} µs busy work`;

async function expectSameAnswer(urls: string[]): Promise<void> {
  const answers = await Promise.all(urls.map(async (url) => ({ url, res: await fetch(url) })));
  const bodies = await Promise.all(answers.map(async ({ url, res }) => ({ url, status: res.status, body: await res.text() })));
  for (const { url, status, body } of bodies) {
    if (status !== 200 || body !== bodies[0]!.body) throw new Error(`${url} answered ${status} ${body}`);
  }
}

async function main(): Promise<void> {
  const here = (script: string) => join(import.meta.dirname, script);
  const upstream = await startServer(here('upstream.ts'));
  const [bare, busyBare, gateway, loggingGateway] = await Promise.all([
    startServer(here('bare-proxy.ts'), { UPSTREAM_URL: upstream.url }),
    startServer(here('bare-proxy.ts'), { UPSTREAM_URL: upstream.url, BUSY_US: String(BUSY_US) }),
    // As configured by default, whatever the caller's environment says.
    startServer(here('gateway.ts'), { UPSTREAM_URL: upstream.url, LOG_LEVEL: 'info', LOG_RELAYED_REQUESTS: 'false' }),
    startServer(here('gateway.ts'), { UPSTREAM_URL: upstream.url, LOG_LEVEL: 'info', LOG_RELAYED_REQUESTS: 'true' }),
  ]);
  const targets = [
    { name: 'direct', server: upstream, paced: true },
    { name: 'bare proxy', server: bare, paced: true },
    { name: 'gateway', server: gateway, paced: true },
    { name: 'gateway, relayed requests logged', server: loggingGateway, paced: false },
    { name: BUSY_TARGET, server: busyBare, paced: false },
  ];
  await expectSameAnswer(targets.map((t) => `${t.server.url}${PATH}`));

  const pauseMs = Math.round((CONNECTIONS * 1000) / PACED_RPS);
  console.log(
    `wrk -t1 -c${CONNECTIONS}; ${ROUNDS} rounds of ${WARMUP_S} s warm-up + ${DURATION_S} s per target and mode; paced at ~${PACED_RPS} req/s`,
  );
  console.log(`Node ${process.versions.node}, ${cpus().length} CPUs; ${placement()}\n`);
  const saturated = new Map<string, Measurement[]>(targets.map((t) => [t.name, []]));
  const paced = new Map<string, Measurement[]>(targets.filter((t) => t.paced).map((t) => [t.name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const { name, server } of targets) {
      isolate(server);
      const run = measure(server, `${server.url}${PATH}`);
      saturated.get(name)!.push(run);
      console.log(
        `round ${round}  saturated  ${name.padEnd(33)}${run.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${run.p99Ms.toFixed(2)} ms`,
      );
    }
    for (const { name, server } of targets.filter((t) => t.paced)) {
      isolate(server);
      const run = measure(server, `${server.url}${PATH}`, { pauseMs });
      paced.get(name)!.push(run);
      console.log(
        `round ${round}  paced      ${name.padEnd(33)}${run.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${run.p99Ms.toFixed(2)} ms`,
      );
    }
  }

  const saturatedSummary = [...saturated].map(([name, runs]) => summarise(name, runs));
  const pacedSummary = [...paced].map(([name, runs]) => summarise(name, runs));
  printTable(`saturated, medians of ${ROUNDS} rounds`, saturatedSummary);
  printTable(`paced at ~${PACED_RPS} req/s, medians of ${ROUNDS} rounds`, pacedSummary);

  const find = (rows: Summary[], name: string) => rows.find((r) => r.target === name)!;
  const bareSaturated = find(saturatedSummary, 'bare proxy');
  const gatewaySaturated = find(saturatedSummary, 'gateway');
  const busySaturated = find(saturatedSummary, BUSY_TARGET);
  const ratio = gatewaySaturated.requestsPerSecond / bareSaturated.requestsPerSecond;
  const p99Added = find(pacedSummary, 'gateway').p99Ms - find(pacedSummary, 'bare proxy').p99Ms;
  const p99AddedSaturated = gatewaySaturated.p99Ms - bareSaturated.p99Ms;
  const cpuRatio = (gatewaySaturated.cpuUsPerRequest ?? NaN) / (bareSaturated.cpuUsPerRequest ?? NaN);
  const busyRatio = busySaturated.requestsPerSecond / bareSaturated.requestsPerSecond;
  const busyCpuAdded = (busySaturated.cpuUsPerRequest ?? NaN) - (bareSaturated.cpuUsPerRequest ?? NaN);
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(
    `\ngateway / bare proxy throughput (saturated): ${(ratio * 100).toFixed(1)} %   target >= ${TARGET_THROUGHPUT_RATIO * 100} %: ${verdict(ratio >= TARGET_THROUGHPUT_RATIO)}`,
  );
  console.log(
    `p99 added over the bare proxy (paced):      ${signed(p99Added)} ms   target < ${TARGET_P99_ADDED_MS} ms: ${verdict(p99Added < TARGET_P99_ADDED_MS)}`,
  );
  console.log(
    `p99 added over the bare proxy (saturated):  ${signed(p99AddedSaturated)} ms   (mostly queueing behind the lower throughput)`,
  );
  console.log(`CPU per request, gateway / bare proxy:      ${cpuRatio.toFixed(2)} x`);
  console.log(
    `calibration: the bare proxy busy ${BUSY_US} µs more per request does ${(busyRatio * 100).toFixed(1)} % of its throughput, at ${signed(busyCpuAdded)} µs of CPU per request`,
  );
  if ([...saturatedSummary, ...pacedSummary].some((r) => r.failures > 0))
    console.log('\nWARNING: some requests failed; the figures above are not comparable.');

  saveResults('gateway', {
    node: process.versions.node,
    cpus: cpus().length,
    pinned: PIN,
    connections: CONNECTIONS,
    durationS: DURATION_S,
    rounds: ROUNDS,
    pacedRps: PACED_RPS,
    saturated: { summary: saturatedSummary, runs: Object.fromEntries(saturated) },
    paced: { summary: pacedSummary, runs: Object.fromEntries(paced) },
    throughputRatio: ratio,
    p99AddedMs: p99Added,
    cpuRatio,
    calibration: { busyUs: BUSY_US, throughputRatio: busyRatio, cpuUsAdded: busyCpuAdded },
  });
}

main()
  .catch((err: Error) => {
    console.error(`bench failed: ${err.message}`);
    process.exitCode = 1;
  })
  .finally(stopServers);
