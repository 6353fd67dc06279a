import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FLEET, SANDBOX_PSP, envPrefix, serviceSpec, type ServiceSpec } from './manifest';
import { RUN_NAMESPACE, passwordVariable, type FleetNamespace } from './namespace';

/** Where a fleet runs: `make run`'s ports and namespace unless told otherwise. */
export interface Placement {
  /** Per-service port offset, so tests can run a second fleet beside a developer's. */
  portOffset?: number;
  /** Schemas, users, consumer groups, Redis and topic prefixes of this fleet; `make run`'s by default. */
  namespace?: FleetNamespace;
}

/**
 * Runs the fleet as separate processes (`node <service>/dist/main.js`), one log file each.
 * `make run` and the end-to-end tests both use it, so what the tests start is what users start.
 */
export interface FleetOptions extends Placement {
  /** Repository root, where the `<service>/dist` folders are. */
  root: string;
  logDir: string;
  /** Environment shared by every process; per-service variables are added by `processEnv`. */
  env: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
  onProgress?: (message: string) => void;
}

interface Running {
  spec: ServiceSpec;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * kafkajs 2.2.4 passes a negative delay to setTimeout when the broker is not throttling it; Node
 * has always clamped that to 1 ms, and since Node 24 it also warns on every such call.
 */
export const QUIET_KAFKAJS = '--disable-warning=TimeoutNegativeWarning';

export function portOf(spec: ServiceSpec, portOffset = 0): number {
  return spec.port + portOffset;
}

/**
 * Environment of one process of the fleet: its port; the namespace's REDIS_KEY_PREFIX; for a
 * service, its consumer group, the namespace's KAFKA_TOPIC_PREFIX, loopback as its trusted proxy
 * and a MYSQL_URL for its own user and schema built from `<SERVICE>_DB_PASSWORD` and MYSQL_HOST/MYSQL_PORT. Every URL of another process (services'
 * `<SERVICE>_URL`, the gateway's `UPSTREAM_<SERVICE>`, everyone's JWKS_URL) follows the port offset.
 */
export function processEnv(
  spec: ServiceSpec,
  env: NodeJS.ProcessEnv,
  { portOffset = 0, namespace = RUN_NAMESPACE }: Placement = {},
): NodeJS.ProcessEnv {
  const userService = FLEET.find((s) => s.name === 'user-service')!;
  const own: NodeJS.ProcessEnv = {
    PORT: String(portOf(spec, portOffset)),
    JWKS_URL: `http://127.0.0.1:${portOf(userService, portOffset)}/.well-known/jwks.json`,
    REDIS_KEY_PREFIX: namespace.redisKeyPrefix,
  };
  for (const other of FLEET.filter((s) => s.schema)) {
    const url = `http://127.0.0.1:${portOf(other, portOffset)}`;
    // Services call each other at <SERVICE>_URL; the gateway balances over UPSTREAM_<SERVICE>.
    own[spec.schema ? `${envPrefix(other.name)}_URL` : `UPSTREAM_${envPrefix(other.name)}`] = url;
  }
  if (spec.schema) {
    const password = env[passwordVariable(spec)];
    if (!password) throw new Error(`${passwordVariable(spec)} is not set`);
    const host = env.MYSQL_HOST ?? '127.0.0.1';
    const port = env.MYSQL_PORT ?? '3306';
    const user = namespace.databaseUser(spec);
    own.MYSQL_URL = `mysql://${user}:${encodeURIComponent(password)}@${host}:${port}/${namespace.schema(spec)}`;
    own.KAFKA_CONSUMER_GROUP = namespace.consumerGroup(spec);
    own.KAFKA_TOPIC_PREFIX = namespace.kafkaTopicPrefix;
    // Every process runs on this machine, and a service is called by the gateway and its peers over
    // loopback: their X-Forwarded-For names the client, so per-address limits count clients, not the gateway.
    own.TRUSTED_PROXIES = 'loopback';
  }
  if (spec.name === 'payment-service' || spec.name === SANDBOX_PSP.name) Object.assign(own, paymentProviderEnv(env, portOffset));
  return { ...env, ...own };
}

/**
 * What payment-service and the sandbox PSP share: each one's address, and the API key and webhook
 * secret. Unless set, the secrets are derived from payment-service's database password (generated
 * for each checkout into .infra/secrets.env), so `make run` needs no other secret and both
 * processes derive the same ones.
 */
function paymentProviderEnv(env: NodeJS.ProcessEnv, portOffset: number): NodeJS.ProcessEnv {
  const seed = env[passwordVariable(serviceSpec('payment-service'))];
  const derive = (purpose: string) => (seed ? createHmac('sha256', seed).update(purpose).digest('hex') : undefined);
  return {
    PAYMENT_PROVIDER_URL: `http://127.0.0.1:${portOf(SANDBOX_PSP, portOffset)}`,
    PAYMENT_WEBHOOK_URL: `http://127.0.0.1:${portOf(serviceSpec('payment-service'), portOffset)}/api/v1/webhooks/payments`,
    PAYMENT_PROVIDER_API_KEY: env.PAYMENT_PROVIDER_API_KEY ?? derive('sandbox-psp api key'),
    PAYMENT_WEBHOOK_SECRET: env.PAYMENT_WEBHOOK_SECRET ?? derive('sandbox-psp webhook secret'),
  };
}

export class FleetProcesses {
  private readonly running = new Map<string, Running>();

  constructor(private readonly options: FleetOptions) {
    mkdirSync(options.logDir, { recursive: true });
  }

  logFile(name: string): string {
    return join(this.options.logDir, `${name}.log`);
  }

  /** Starts the ten services together, then the gateway; resolves when all eleven are ready. */
  async start(): Promise<void> {
    const services = FLEET.filter((s) => s.schema);
    const gateway = FLEET.filter((s) => !s.schema);
    let ready = 0;
    const total = FLEET.length;
    const startOne = async (spec: ServiceSpec) => {
      this.spawn(spec);
      await this.waitReady(spec);
      ready++;
      this.options.onProgress?.(
        `ready ${ready}/${total}  ${spec.name.padEnd(21)} http://127.0.0.1:${portOf(spec, this.options.portOffset)}`,
      );
    };
    // The payment provider's sandbox first, as a real provider would already be there.
    this.spawn(SANDBOX_PSP);
    await this.waitReady(SANDBOX_PSP);
    await Promise.all(services.map(startOne));
    await Promise.all(gateway.map(startOne));
  }

  /** The environment a member of the fleet runs with; its commands (seeds, create-admin) need the same. */
  envOf(name: string): NodeJS.ProcessEnv {
    return processEnv(serviceSpec(name), this.options.env, this.options);
  }

  /** Starts one process (again); used by `start` and by fault tests that restart a service. */
  spawn(spec: ServiceSpec): void {
    const main = join(this.options.root, spec.entry ?? join(spec.name, 'dist', 'main.js'));
    if (!existsSync(main)) throw new Error(`${main} is missing: compile the fleet first (make build)`);
    const log = createWriteStream(this.logFile(spec.name), { flags: 'a' });
    const child = spawn(process.execPath, [QUIET_KAFKAJS, main], {
      env: this.envOf(spec.name),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    this.running.set(spec.name, { spec, child, exited });
  }

  /** The process id of a running member of the fleet (benchmarks read its CPU time). */
  pidOf(name: string): number | undefined {
    return this.running.get(name)?.child.pid;
  }

  /** SIGTERM to every process, SIGKILL to any still alive after the grace period. */
  async stop(graceMs = 12_000): Promise<void> {
    await Promise.all([...this.running.keys()].map((name) => this.stopOne(name, graceMs)));
  }

  async stopOne(name: string, graceMs = 12_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const running = this.running.get(name);
    if (!running) return null;
    this.running.delete(name);
    if (running.child.exitCode !== null) return running.child.exitCode;
    running.child.kill(signal);
    const timer = setTimeout(() => running.child.kill('SIGKILL'), graceMs);
    const code = await running.exited;
    clearTimeout(timer);
    return code;
  }

  private async waitReady(spec: ServiceSpec): Promise<void> {
    const url = `http://127.0.0.1:${portOf(spec, this.options.portOffset)}/health/ready`;
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 90_000);
    const running = this.running.get(spec.name)!;
    let exitCode: number | null | undefined;
    void running.exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`${spec.name} exited with code ${exitCode}:\n${await this.tail(spec.name)}`);
      const status = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${spec.name} was not ready within the timeout:\n${await this.tail(spec.name)}`);
  }

  async tail(name: string, lines = 20): Promise<string> {
    const text = await readFile(this.logFile(name), 'utf8').catch(() => '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  }
}
