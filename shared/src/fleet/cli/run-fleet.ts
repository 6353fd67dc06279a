/**
 * `make run`'s last step: starts the eleven services as processes, waits until each is ready,
 * starts the demo's order simulator once in the background, prints where to look, and stops them
 * all cleanly on Ctrl-C (SIGINT) or SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { GATEWAY } from '../manifest';
import { FleetProcesses } from '../launcher';

const root = resolve(__dirname, '../../../..');
const logDir = resolve(root, '.infra/logs');

/**
 * Development stand-ins for notification-service's providers, where its default settings look for
 * them: MailDev (SMTP on :1025, web inbox and REST API on :1080, mail kept in .infra/maildev) and
 * the SMS/push sink (:1081). A stand-in that cannot start (a port taken) is reported, not fatal.
 */
function startProviderStandIns(): ChildProcess[] {
  mkdirSync(logDir, { recursive: true });
  const standIns = [
    {
      name: 'maildev',
      script: resolve(root, 'node_modules/maildev/dist/bin/maildev.js'),
      args: [
        '--smtp',
        '1025',
        '--ip',
        '127.0.0.1',
        '--web',
        '1080',
        '--web-ip',
        '127.0.0.1',
        '--mail-directory',
        resolve(root, '.infra/maildev'),
      ],
    },
    { name: 'provider-sink', script: resolve(root, 'notification-service/dist/cli/provider-sink.js'), args: [] },
  ];
  return standIns.flatMap(({ name, script, args }) => {
    if (!existsSync(script)) {
      console.log(`    (${name} not installed: notifications will retry until an SMTP server / provider answers)`);
      return [];
    }
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(resolve(logDir, `${name}.log`), { flags: 'a' });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    child.once('exit', (code) => code && console.log(`    ${name} exited with code ${code} (see .infra/logs/${name}.log)`));
    return [child];
  });
}

/**
 * The order simulator (`npm run demo:orders`, scripts/demo-orders), once, in the background: customers
 * ordering through the gateway just started, so the analytics dashboard has something to show on
 * first start. DEMO_ORDERS orders (60 by default; 0 for none); each `make run` adds as many. It signs
 * in as the demo admin of .infra/secrets.env, made when missing. Its report: .infra/logs/demo-orders.log.
 */
function startDemoOrders(gateway: string): ChildProcess | null {
  const orders = Number(process.env.DEMO_ORDERS ?? 60);
  if (!Number.isInteger(orders) || orders < 0) {
    console.log(`    DEMO_ORDERS must be a whole number (0 for none), not ${process.env.DEMO_ORDERS}: no demo orders`);
    return null;
  }
  if (orders === 0) return null;
  const child = spawn(process.execPath, [resolve(root, 'scripts/demo-orders/run.ts'), '--orders', String(orders)], {
    env: { ...process.env, GATEWAY_URL: gateway },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(resolve(logDir, 'demo-orders.log'), { flags: 'a' });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  child.once('exit', (code, signal) => {
    if (signal) return;
    console.log(
      code === 0
        ? '==> demo orders done: their summary is in .infra/logs/demo-orders.log'
        : `    demo orders exited with code ${code} (see .infra/logs/demo-orders.log)`,
    );
  });
  return child;
}

async function main(): Promise<void> {
  const fleet = new FleetProcesses({ root, logDir, env: process.env, onProgress: (m) => console.log(`    ${m}`) });
  const standIns = startProviderStandIns();
  let demo: ChildProcess | null = null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n==> ${signal}: stopping the fleet (in-flight requests finish, consumers commit, outboxes flush)`);
    demo?.kill('SIGTERM');
    await fleet.stop();
    for (const child of standIns) child.kill('SIGTERM');
    console.log('==> all services stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  console.log('==> starting 11 services (each applies its migrations at start)');
  try {
    await fleet.start();
  } catch (err) {
    console.error(`\n!!! ${(err as Error).message}\n    logs: ${logDir}`);
    await fleet.stop();
    for (const child of standIns) child.kill('SIGTERM');
    process.exit(1);
  }
  const gateway = `http://127.0.0.1:${GATEWAY.port}`;
  demo = startDemoOrders(gateway);
  console.log(`
==> QuickCommerce is up
    gateway   ${gateway}/api/v1/...
    API docs  ${gateway}/docs
    health    ${gateway}/health   (every service: -H "authorization: Bearer $OPS_TOKEN")
    metrics   ${gateway}/metrics  (-H "authorization: Bearer $OPS_TOKEN"; the token is in .infra/secrets.env)
    emails    http://127.0.0.1:1080 (MailDev's inbox; REST at /api/email)
    SMS/push  http://127.0.0.1:1081/sms and /push (what would have been sent)
    dashboard ${gateway}/api/v1/analytics/dashboard (the demo admin: DEMO_ADMIN_EMAIL and DEMO_ADMIN_PASSWORD in .infra/secrets.env)
    demo      ${demo ? 'orders being placed in the background (.infra/logs/demo-orders.log); ' : ''}npm run demo:orders for more
    logs      .infra/logs/<service>.log
    Press Ctrl-C to stop the fleet.`);
}

void main();
