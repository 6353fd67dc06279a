/**
 * `npm run bench:gateway`: what the gateway costs per request. Starts, each in its own process, a
 * tiny upstream, a bare Express + http-proxy-middleware proxy in front of it, and our gateway in
 * front of it (plus, as a diagnostic, a second gateway with its access log off); then wrk (1
 * thread, 50 connections) measures each after a warm-up: direct, through the bare proxy, through
 * the gateway.
 * - Saturated: as fast as wrk can; gives throughput (and latency that is mostly queueing).
 * - Paced: each connection waits between requests (paced.lua) for BENCH_PACED_RPS in total, a load
 *   every target sustains; gives the latency a proxy really adds.
 * Targets are measured in turn, BENCH_ROUNDS times, and medians reported: on a shared 2-core machine
 * one 10 s run can be off by a third. The CPU time the measured process spent per request is
 * reported too; noise from other processes disturbs it much less than req/s.
 * Prints figures, never fails on them (DESIGN §9). Needs `npm run build`, Redis and wrk.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PACED_RPS = Number(process.env.BENCH_PACED_RPS ?? 500);
const CONNECTIONS = 50;
const PATH = '/api/v1/products';
const TARGET_THROUGHPUT_RATIO = 0.8;
const TARGET_P99_ADDED_MS = 2;

interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU (user + system) the measured server process used per request, in microseconds. */
  cpuUsPerRequest: number | undefined;
  /** Non-2xx answers and socket errors: anything but a clean 200 makes the run meaningless. */
  failures: number;
}

interface Server {
  url: string;
  pid: number;
}

const children: ChildProcess[] = [];

/** Forks one server script and waits for it to report its port. */
function startServer(script: string, env: Record<string, string> = {}): Promise<Server> {
  const child = fork(join(import.meta.dirname, script), [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve({ url: `http://127.0.0.1:${message.port}`, pid: child.pid! }));
    child.once('exit', (code) => reject(new Error(`${script} exited with code ${code} before listening`)));
  });
}

/** User + system CPU of a process so far, in microseconds (Linux /proc; undefined elsewhere). */
function cpuTimeUs(pid: number): number | undefined {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return undefined;
  const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / ticksPerSecond;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value);
  if (!match) throw new Error(`unexpected wrk latency "${value}"`);
  const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(match[1]) * factor;
}

function wrk(url: string, seconds: number, pauseMs?: number): string {
  const pacing = pauseMs === undefined ? [] : ['-s', join(import.meta.dirname, 'paced.lua')];
  const args = [
    '-t1',
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    '--latency',
    ...pacing,
    url,
    ...(pauseMs === undefined ? [] : ['--', String(pauseMs)]),
  ];
  const run = spawnSync('wrk', args, { encoding: 'utf8' });
  if (run.error) throw new Error(`wrk could not run (${run.error.message}); install it: apt-get install wrk`);
  if (run.status !== 0) throw new Error(`wrk failed:\n${run.stderr}`);
  return run.stdout;
}

function measure(server: Server, url: string, pauseMs?: number): Measurement {
  wrk(url, WARMUP_S, pauseMs);
  const cpuBefore = cpuTimeUs(server.pid);
  const output = wrk(url, DURATION_S, pauseMs);
  const cpuAfter = cpuTimeUs(server.pid);
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? 0);
  const socketErrors =
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
      .exec(output)
      ?.slice(1)
      .reduce((sum, n) => sum + Number(n), 0) ?? 0;
  const requests = number(/(\d+) requests in/);
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: toMs(/^\s+50%\s+(\S+)/m.exec(output)![1]!),
    p99Ms: toMs(/^\s+99%\s+(\S+)/m.exec(output)![1]!),
    cpuUsPerRequest: cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / requests,
    failures: number(/Non-2xx or 3xx responses: (\d+)/) + socketErrors,
  };
}

async function expectSameAnswer(urls: string[]): Promise<void> {
  const answers = await Promise.all(urls.map(async (url) => ({ url, res: await fetch(url) })));
  const bodies = await Promise.all(answers.map(async ({ url, res }) => ({ url, status: res.status, body: await res.text() })));
  for (const { url, status, body } of bodies) {
    if (status !== 200 || body !== bodies[0]!.body) throw new Error(`${url} answered ${status} ${body}`);
  }
}

type Summary = Measurement & { target: string };

function summarise(name: string, measured: Measurement[]): Summary {
  const cpu = measured.map((m) => m.cpuUsPerRequest).filter((c): c is number => c !== undefined);
  return {
    target: name,
    requestsPerSecond: median(measured.map((m) => m.requestsPerSecond)),
    p50Ms: median(measured.map((m) => m.p50Ms)),
    p99Ms: median(measured.map((m) => m.p99Ms)),
    cpuUsPerRequest: cpu.length > 0 ? median(cpu) : undefined,
    failures: measured.reduce((sum, m) => sum + m.failures, 0),
  };
}

function printTable(title: string, rows: Summary[]): void {
  console.log(`\n${title}`);
  console.log(
    `${'target'.padEnd(34)}${'req/s'.padStart(8)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'CPU us/req'.padStart(12)}${'failures'.padStart(10)}`,
  );
  for (const r of rows) {
    const cpu = r.cpuUsPerRequest === undefined ? '-' : r.cpuUsPerRequest.toFixed(0);
    console.log(
      `${r.target.padEnd(34)}${r.requestsPerSecond.toFixed(0).padStart(8)}${r.p50Ms.toFixed(2).padStart(9)}${r.p99Ms.toFixed(2).padStart(9)}${cpu.padStart(12)}${String(r.failures).padStart(10)}`,
    );
  }
}

async function main(): Promise<void> {
  const upstream = await startServer('upstream.ts');
  const [bare, gateway, quietGateway] = await Promise.all([
    startServer('bare-proxy.ts', { UPSTREAM_URL: upstream.url }),
    startServer('gateway.ts', { UPSTREAM_URL: upstream.url, LOG_LEVEL: 'info' }),
    startServer('gateway.ts', { UPSTREAM_URL: upstream.url, LOG_LEVEL: 'warn' }),
  ]);
  const targets = [
    { name: 'direct', server: upstream, paced: true },
    { name: 'bare proxy', server: bare, paced: true },
    { name: 'gateway', server: gateway, paced: true },
    { name: 'gateway, access log off (warn)', server: quietGateway, paced: false },
  ];
  await expectSameAnswer(targets.map((t) => `${t.server.url}${PATH}`));

  const pauseMs = Math.round((CONNECTIONS * 1000) / PACED_RPS);
  console.log(
    `wrk -t1 -c${CONNECTIONS}; ${ROUNDS} rounds of ${WARMUP_S} s warm-up + ${DURATION_S} s per target and mode; paced at ~${PACED_RPS} req/s`,
  );
  console.log(`Node ${process.versions.node}, ${cpus().length} CPUs\n`);
  const saturated = new Map<string, Measurement[]>(targets.map((t) => [t.name, []]));
  const paced = new Map<string, Measurement[]>(targets.filter((t) => t.paced).map((t) => [t.name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const { name, server } of targets) {
      const run = measure(server, `${server.url}${PATH}`);
      saturated.get(name)!.push(run);
      console.log(
        `round ${round}  saturated  ${name.padEnd(31)}${run.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${run.p99Ms.toFixed(2)} ms`,
      );
    }
    for (const { name, server } of targets.filter((t) => t.paced)) {
      const run = measure(server, `${server.url}${PATH}`, pauseMs);
      paced.get(name)!.push(run);
      console.log(
        `round ${round}  paced      ${name.padEnd(31)}${run.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${run.p99Ms.toFixed(2)} ms`,
      );
    }
  }

  const saturatedSummary = [...saturated].map(([name, runs]) => summarise(name, runs));
  const pacedSummary = [...paced].map(([name, runs]) => summarise(name, runs));
  printTable(`saturated, medians of ${ROUNDS} rounds`, saturatedSummary);
  printTable(`paced at ~${PACED_RPS} req/s, medians of ${ROUNDS} rounds`, pacedSummary);

  const find = (rows: Summary[], name: string) => rows.find((r) => r.target === name)!;
  const ratio = find(saturatedSummary, 'gateway').requestsPerSecond / find(saturatedSummary, 'bare proxy').requestsPerSecond;
  const p99Added = find(pacedSummary, 'gateway').p99Ms - find(pacedSummary, 'bare proxy').p99Ms;
  const p99AddedSaturated = find(saturatedSummary, 'gateway').p99Ms - find(saturatedSummary, 'bare proxy').p99Ms;
  const cpuRatio =
    (find(saturatedSummary, 'gateway').cpuUsPerRequest ?? NaN) / (find(saturatedSummary, 'bare proxy').cpuUsPerRequest ?? NaN);
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
  if ([...saturatedSummary, ...pacedSummary].some((r) => r.failures > 0))
    console.log('\nWARNING: some requests failed; the figures above are not comparable.');

  const resultsDir = join(process.cwd(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `gateway-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const report = {
    node: process.versions.node,
    cpus: cpus().length,
    connections: CONNECTIONS,
    durationS: DURATION_S,
    rounds: ROUNDS,
    pacedRps: PACED_RPS,
    saturated: { summary: saturatedSummary, runs: Object.fromEntries(saturated) },
    paced: { summary: pacedSummary, runs: Object.fromEntries(paced) },
    throughputRatio: ratio,
    p99AddedMs: p99Added,
    cpuRatio,
  };
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(`\nsaved ${file}`);
}

function signed(ms: number): string {
  return `${ms >= 0 ? '+' : ''}${ms.toFixed(2)}`;
}

main()
  .catch((err: Error) => {
    console.error(`bench failed: ${err.message}`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) child.kill('SIGTERM');
  });
