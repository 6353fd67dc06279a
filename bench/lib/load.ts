/**
 * What the benchmarks share: servers forked into their own processes, wrk driving load (saturated,
 * paced, or with a request script), CPU per request read from /proc, medians and a table.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

export const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
export const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

export interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU (user + system) the measured server process used per request, in microseconds. */
  cpuUsPerRequest: number | undefined;
  /** Non-2xx answers and socket errors: anything but a clean 200 makes the run meaningless. */
  failures: number;
}

export interface Server {
  url: string;
  pid: number;
  /** Whatever else the server reported with its port (a token to send, say). */
  info: Record<string, unknown>;
}

const children: ChildProcess[] = [];

/** Stops every server this run forked, and the readers of their stdout. */
export function stopServers(): void {
  for (const child of children) child.kill('SIGTERM');
}

/**
 * Where a server's stdout goes: a pipe read by a process of its own, as a container runtime reads a
 * container's, so that log lines cost what they cost in production (a write to /dev/null wakes
 * nobody). Not read by this process, which waits on wrk while measuring.
 */
function stdoutReader(): NonNullable<ChildProcess['stdin']> {
  const reader = spawn('cat', [], { stdio: ['pipe', 'ignore', 'inherit'] });
  children.push(reader);
  return reader.stdin;
}

/** Forks one server script (a path) and waits for it to report its port over IPC. */
export function startServer(script: string, env: Record<string, string> = {}): Promise<Server> {
  const child = fork(script, [], {
    // kafkajs' negative timeouts (see QUIET_KAFKAJS in @qc/shared/fleet) would print a warning each.
    execArgv: [...process.execArgv, '--disable-warning=TimeoutNegativeWarning'],
    env: { ...process.env, ...env },
    stdio: ['ignore', stdoutReader(), 'inherit', 'ipc'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', ({ port, ...info }: { port: number }) => resolve({ url: `http://127.0.0.1:${port}`, pid: child.pid!, info }));
    child.once('exit', (code) => reject(new Error(`${script} exited with code ${code} before listening`)));
  });
}

/** Sets the CPUs every thread of process `pid` may run on (a taskset list such as `0-2`); false if it could not. */
function pinTo(cpuList: string, pid: number): boolean {
  return spawnSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpuList, String(pid)], { stdio: 'ignore' }).status === 0;
}

/**
 * Whether measured servers get a CPU of their own (isolate): on Linux with two CPUs or more, unless
 * BENCH_PIN=0. A run that cannot pin (taskset missing, CPUs restricted) stops and says so.
 */
export const PIN = process.env.BENCH_PIN !== '0' && process.platform === 'linux' && cpus().length >= 2;

/** The CPU a measured server gets to itself (the last), and those everything else shares. */
function cpuSplit(): { own: string; rest: string } {
  const last = cpus().length - 1;
  return { own: String(last), rest: last === 1 ? '0' : `0-${last - 1}` };
}

/** Where the processes of a run are placed while a server is measured, in words. */
export function placement(): string {
  if (!PIN) return 'unpinned (BENCH_PIN=0, or a single CPU)';
  const { own, rest } = cpuSplit();
  return `each measured server alone on CPU ${own}; wrk, the upstream and the rest on CPU ${rest}`;
}

/**
 * Gives `server` the last CPU to itself for its next measurement, and every other process of the
 * run (this one, hence wrk, which it starts; the other servers; the readers of their stdout) the
 * others. Unpinned, on a small machine, the measured server shares its CPUs with the load
 * generator and with the upstream it forwards to, and its throughput then depends as much on how
 * the scheduler interleaves the three as on its own cost (bench/gateway/README.md).
 */
export function isolate(server: Server): void {
  if (!PIN) return;
  const { own, rest } = cpuSplit();
  const others = [process.pid, ...children.flatMap((child) => (child.pid === undefined || child.pid === server.pid ? [] : [child.pid]))];
  if (!others.every((pid) => pinTo(rest, pid)) || !pinTo(own, server.pid)) {
    throw new Error('taskset could not pin the benchmark processes; BENCH_PIN=0 measures unpinned');
  }
}

/** User + system CPU of a process so far, in microseconds (Linux /proc; undefined elsewhere). */
function cpuTimeUs(pid: number): number | undefined {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return undefined;
  const fields = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / ticksPerSecond;
}

export function median(values: number[]): number {
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

export const CONNECTIONS = 50;

/** How wrk sends its requests: paced (a pause after every answer), or a Lua script, or extra headers. */
export interface LoadShape {
  /** Pause per connection after every answer (paced.lua): 50 connections × 1000 / pause ≈ req/s. */
  pauseMs?: number;
  /** A wrk Lua script of the caller's (a POST with a body, say), and its arguments; not with `pauseMs`. */
  script?: string;
  args?: string[];
  headers?: Record<string, string>;
  connections?: number;
}

function wrk(url: string, seconds: number, shape: LoadShape): string {
  const script = shape.pauseMs === undefined ? shape.script : join(import.meta.dirname, 'paced.lua');
  const args = [
    '-t1',
    `-c${shape.connections ?? CONNECTIONS}`,
    `-d${seconds}s`,
    '--latency',
    ...Object.entries(shape.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    ...(script ? ['-s', script] : []),
    url,
    ...(shape.pauseMs === undefined ? (shape.args ? ['--', ...shape.args] : []) : ['--', String(shape.pauseMs)]),
  ];
  const run = spawnSync('wrk', args, { encoding: 'utf8' });
  if (run.error) throw new Error(`wrk could not run (${run.error.message}); install it: apt-get install wrk`);
  if (run.status !== 0) throw new Error(`wrk failed:\n${run.stderr}`);
  return run.stdout;
}

/** A warm-up, then one measured wrk run against `url`, with the server's CPU time per request. */
export function measure(server: Server, url: string, shape: LoadShape = {}): Measurement {
  wrk(url, WARMUP_S, shape);
  const cpuBefore = cpuTimeUs(server.pid);
  const output = wrk(url, DURATION_S, shape);
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

/**
 * Saves a run's figures as JSON in bench/results/: `<name>-<time>.json` (kept locally, git-ignored)
 * and `<name>-latest.json`, the one committed with the README that quotes it.
 */
export function saveResults(name: string, report: object): void {
  const resultsDir = join(process.cwd(), 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const body = JSON.stringify({ savedAt: new Date().toISOString(), ...report }, null, 2);
  const file = join(resultsDir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, body);
  writeFileSync(join(resultsDir, `${name}-latest.json`), body);
  console.log(`\nsaved ${file} (and ${name}-latest.json)`);
}

export type Summary = Measurement & { target: string };

export function summarise(name: string, measured: Measurement[]): Summary {
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

export function printTable(title: string, rows: Summary[]): void {
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

export function signed(ms: number): string {
  return `${ms >= 0 ? '+' : ''}${ms.toFixed(2)}`;
}
