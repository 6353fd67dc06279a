import { Router } from 'express';
import { GATEWAY } from '@qc/shared/fleet';
import { evaluate, healthRouter, sendHealth, worstStatus, type HealthCheck, type HealthStatus as Status } from '@qc/shared/health';
import type { Redis } from '@qc/shared/redis';
import type { OpsCheck } from './ops-access';
import type { UpstreamInstance, UpstreamPool } from './routing/upstream-pool';

interface CheckEntry {
  componentId: string;
  status: Status;
  time: string;
  observedValue?: string;
  output?: string;
}

export interface HealthDeps {
  pools: ReadonlyMap<string, UpstreamPool>;
  redis: Redis;
  /** Deadline of each instance's `/health/ready`. */
  probeTimeoutMs: number;
  /** Whether a request may see `/health`'s fleet detail (the operations token); others get its status alone. */
  showsFleet: OpsCheck;
}

/**
 * The gateway's health, in `application/health+json`:
 * - `/health/live`: the process answers.
 * - `/health/ready`: this gateway can route. Redis is reported but only warns (the rate limiter
 *   fails open), and a service being down does not make the gateway unready: it still answers for
 *   that service (503 fast) and serves every other one; a readiness probe that failed with any
 *   service would have the load balancer drop every gateway at once.
 * - `/health`: the fleet at a glance. Every instance of every service is asked for `/health/ready`
 *   in parallel, and every breaker's state is listed; 503 when a service has no ready instance or
 *   every breaker of it is open, with `output` naming those services. Without the operations token
 *   the answer is the status alone (same HTTP status): which instances exist and which are down is
 *   for operators.
 */
export function healthRoutes({ pools, redis, probeTimeoutMs, showsFleet }: HealthDeps): Router {
  const redisCheck: HealthCheck = { name: 'redis:connection', critical: false, check: async () => void (await redis.ping()) };
  // Concurrent callers share one round of probes, so hammering /health cannot multiply the load on
  // the services.
  let running: Promise<FleetReport> | undefined;
  const fleetReport = () => {
    running ??= reportFleet(pools, redisCheck, probeTimeoutMs).finally(() => (running = undefined));
    return running;
  };
  return Router()
    .get('/health', async (req, res) => {
      const report = await fleetReport();
      sendHealth(res, showsFleet(req) ? report : { status: report.status, serviceId: report.serviceId });
    })
    .use(healthRouter(GATEWAY.name, [redisCheck]));
}

interface FleetReport {
  status: Status;
  serviceId: string;
  output?: string;
  checks: Record<string, readonly { status: Status }[]>;
}

async function reportFleet(
  pools: ReadonlyMap<string, UpstreamPool>,
  redisCheck: HealthCheck,
  probeTimeoutMs: number,
): Promise<FleetReport> {
  const [own, ...services] = await Promise.all([
    evaluate(GATEWAY.name, [redisCheck]),
    ...[...pools.values()].map(async (pool) => ({
      pool,
      ready: await Promise.all(pool.instances.map((i) => probeReady(i, probeTimeoutMs))),
    })),
  ]);
  const checks: FleetReport['checks'] = { ...own.checks };
  const down: string[] = [];
  for (const { pool, ready } of services) {
    const time = new Date().toISOString();
    const circuits = pool.instances.map((instance): CheckEntry => ({
      componentId: instance.url,
      status: circuitStatus(instance),
      observedValue: instance.state,
      time,
    }));
    // One failing instance of several is a warning; the service fails only when none is usable.
    const readyEntries = degradeUnlessAllFail(ready);
    const circuitEntries = degradeUnlessAllFail(circuits);
    if (readyEntries.some((e) => e.status === 'fail') || circuitEntries.some((e) => e.status === 'fail')) down.push(pool.service);
    checks[`${pool.service}:ready`] = readyEntries;
    checks[`${pool.service}:circuit`] = circuitEntries;
  }
  const status = worstStatus(Object.values(checks).flatMap((entries) => entries.map((e) => e.status)));
  return { status, serviceId: GATEWAY.name, ...(down.length > 0 ? { output: `not available: ${down.join(', ')}` } : {}), checks };
}

function circuitStatus(instance: UpstreamInstance): Status {
  return instance.state === 'closed' ? 'pass' : instance.state === 'half-open' ? 'warn' : 'fail';
}

function degradeUnlessAllFail(entries: CheckEntry[]): CheckEntry[] {
  if (entries.every((e) => e.status === 'fail')) return entries;
  return entries.map((e) => (e.status === 'fail' ? { ...e, status: 'warn' } : e));
}

async function probeReady(instance: UpstreamInstance, timeoutMs: number): Promise<CheckEntry> {
  const componentId = instance.url;
  const time = new Date().toISOString();
  try {
    const response = await fetch(`${instance.url}/health/ready`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status === 200
      ? { componentId, status: 'pass', time }
      : { componentId, status: 'fail', time, output: `answered ${response.status}` };
  } catch (error) {
    return { componentId, status: 'fail', time, output: describeFailure(error, timeoutMs) };
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = (error as { cause?: { code?: string } }).cause?.code;
  return code ? `unreachable (${code})` : 'unreachable';
}
