import { Router, type RequestHandler, type Response } from 'express';

/** One dependency check; it throws when the dependency is not usable. */
export interface HealthCheck {
  /** `component:measurement`, e.g. `mysql:connection`, `outbox:backlog`. */
  name: string;
  check: () => Promise<{ observedValue?: number; observedUnit?: string; status?: 'pass' | 'warn' } | void>;
  /** A failing non-critical check reports `warn` and keeps the service ready. */
  critical?: boolean;
}

export type HealthStatus = 'pass' | 'warn' | 'fail';
interface CheckResult {
  status: HealthStatus;
  time: string;
  observedValue?: number;
  observedUnit?: string;
  output?: string;
}

const CHECK_TIMEOUT_MS = 2_000;
const CONTENT_TYPE = 'application/health+json';

async function runCheck(check: HealthCheck): Promise<CheckResult> {
  const time = new Date().toISOString();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    const observed = (await Promise.race([check.check(), timeout])) ?? {};
    return { status: observed.status ?? 'pass', time, ...observed };
  } catch (err) {
    return { status: check.critical === false ? 'warn' : 'fail', time, output: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export async function evaluate(serviceId: string, checks: HealthCheck[]) {
  const results = await Promise.all(checks.map(async (c) => [c.name, [await runCheck(c)]] as const));
  return { status: worstStatus(results.map(([, [r]]) => r!.status)), serviceId, checks: Object.fromEntries(results) };
}

/** The report's status is its worst check's: any fail fails, else any warn warns. */
export function worstStatus(statuses: HealthStatus[]): HealthStatus {
  return statuses.includes('fail') ? 'fail' : statuses.includes('warn') ? 'warn' : 'pass';
}

/** Writes a health report: 503 when it fails, 200 otherwise, never cached. */
export function sendHealth(res: Response, report: { status: HealthStatus; serviceId: string }): void {
  res
    .status(report.status === 'fail' ? 503 : 200)
    .type(CONTENT_TYPE)
    .setHeader('Cache-Control', 'no-store');
  res.send(JSON.stringify(report));
}

/**
 * `/health/live`: the process answers (no dependency is asked, so a database outage never gets the
 * process restarted). `/health/ready` and `/health`: every check, 200 when ready, 503 when not,
 * in the `application/health+json` format.
 */
export function healthRouter(serviceId: string, checks: HealthCheck[]): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => sendHealth(res, { status: 'pass', serviceId }));
  const ready: RequestHandler = async (_req, res) => {
    const report = await evaluate(serviceId, checks);
    sendHealth(res, report);
  };
  // Two routes, not one with a path array: metrics label a request by its route's template,
  // and an array template is no label (probes would be counted as unmatched).
  router.get('/health', ready);
  router.get('/health/ready', ready);
  return router;
}
