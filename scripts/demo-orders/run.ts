/**
 * `npm run demo:orders -- [--orders 60] [--customers N] [--concurrency N] [--seed N]`: customers
 * shopping on the running fleet, through its gateway (simulator.ts), then a summary. `make run`
 * starts it once the fleet is up (DEMO_ORDERS orders, 60 by default; 0 for none), so the analytics
 * dashboard has something to show; run it again for more. Exit 1 when an order did not end as
 * planned.
 *
 * It acts as the demo admin for the admin moves (pack, dispatch, deliver): DEMO_ADMIN_EMAIL
 * (demo-admin@example.com) with DEMO_ADMIN_PASSWORD (random), written once into the git-ignored
 * .infra/secrets.env by `make infra`. The account is made with user-service's create-admin command
 * when missing (nothing changes when it exists); sign in to the dashboard with it.
 * GATEWAY_URL: default http://127.0.0.1:8080.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { demoCityPlaces, describeSimulation, simulateOrders } from './simulator.ts';

const root = resolve(import.meta.dirname, '../..');
const usage = 'usage: npm run demo:orders -- [--orders 60] [--customers N] [--concurrency N] [--seed N]';

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a whole number above 0\n${usage}`);
    process.exit(2);
  }
  return n;
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        orders: { type: 'string', default: '60' },
        customers: { type: 'string' },
        concurrency: { type: 'string' },
        seed: { type: 'string' },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
})();
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
const { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD } = process.env;
if (!DEMO_ADMIN_EMAIL || !DEMO_ADMIN_PASSWORD) {
  console.error(
    'DEMO_ADMIN_EMAIL and DEMO_ADMIN_PASSWORD are not set: `make infra` writes them into .infra/secrets.env, which npm run demo:orders reads.',
  );
  process.exit(2);
}
const [email, password]: [string, string] = [DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD];

async function main(): Promise<void> {
  // The demo admin, made once (create-admin answers "already an admin" afterwards and changes nothing).
  try {
    const made = await promisify(execFile)(process.execPath, [resolve(root, 'user-service/dist/cli/create-admin.js'), email, password], {
      env: process.env,
    });
    console.log(made.stdout.trim());
  } catch (err) {
    const failed = err as Error & { stderr?: string; stdout?: string };
    console.error(`could not make the demo admin ${email}: ${(failed.stderr || failed.stdout || failed.message).trim()}`);
    process.exit(1);
  }
  const login = await fetch(`${gateway}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) {
    console.error(`the demo admin ${email} could not sign in at ${gateway}: ${login.status} ${await login.text()}`);
    process.exit(1);
  }
  const adminToken = ((await login.json()) as { data: { accessToken: string } }).data.accessToken;

  const summary = await simulateOrders({
    gateway,
    adminToken,
    orders: positive('orders', values.orders)!,
    customers: positive('customers', values.customers),
    concurrency: positive('concurrency', values.concurrency),
    seed: positive('seed', values.seed),
    places: demoCityPlaces(resolve(root, 'demo/city.json')),
    // Generous: a fleet just started may still be reading its topics' history when the first orders come.
    waitMs: 120_000,
    log: (line) => console.log(line),
  });
  console.log(describeSimulation(summary));
  if (summary.unexpected.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`demo orders failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
