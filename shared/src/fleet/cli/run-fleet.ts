/**
 * `make run`'s last step: starts the eleven services as processes, waits until each is ready,
 * imports the demo's past days into analytics and then starts the order simulator, once, in the
 * background, prints where to look, and stops them all cleanly on Ctrl-C (SIGINT) or SIGTERM.
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

/** A whole number from the environment (0 for none); null, said on the console, when it is not one. */
function demoCount(name: string, fallback: number, what: string): number | null {
  const value = Number(process.env[name] ?? fallback);
  if (Number.isInteger(value) && value >= 0) return value;
  console.log(`    ${name} must be a whole number (0 for none), not ${process.env[name]}: no ${what}`);
  return null;
}

/** Runs one of the demo's scripts in the background, its output in .infra/logs/<name>.log; `then` once it has exited by itself. */
function startDemoScript(name: string, script: string, args: string[], gateway: string, then: () => void): ChildProcess {
  const child = spawn(process.execPath, [resolve(root, script), ...args], {
    env: { ...process.env, GATEWAY_URL: gateway },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(resolve(logDir, `${name}.log`), { flags: 'a' });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  child.once('exit', (code, signal) => {
    if (signal) return;
    console.log(
      code === 0
        ? `==> ${name.replace('-', ' ')} done: their summary is in .infra/logs/${name}.log`
        : `    ${name.replace('-', ' ')} exited with code ${code} (see .infra/logs/${name}.log)`,
    );
    then();
  });
  return child;
}

/**
 * The demo's data, once, in the background, so the analytics dashboard has something to show on
 * first start. First the history (`npm run demo:history`, scripts/demo-history): DEMO_HISTORY_DAYS
 * past days (3 by default; 0 for none) of the demo city's orders imported into analytics-service
 * only (the services stamp what they do now, and the topics' other readers would act on past
 * orders); again on the same day it imports nothing new. Then the order simulator (`npm run
 * demo:orders`, scripts/demo-orders): customers ordering through the gateway just started,
 * DEMO_ORDERS orders (60 by default; 0 for none), each `make run` adding as many. Both sign in as the
 * demo admin of .infra/secrets.env, made when missing. Reports: .infra/logs/demo-history.log and
 * demo-orders.log. `stop` ends whichever is running and starts nothing more.
 */
function startDemo(gateway: string): { description: string; stop(): void } {
  const days = demoCount('DEMO_HISTORY_DAYS', 3, 'demo history');
  const orders = demoCount('DEMO_ORDERS', 60, 'demo orders');
  let current: ChildProcess | null = null;
  let stopped = false;
  const placeOrders = () => {
    if (orders && !stopped)
      current = startDemoScript('demo-orders', 'scripts/demo-orders/run.ts', ['--orders', String(orders)], gateway, () => {});
  };
  if (days) {
    console.log(
      `==> demo history: importing ${days} past days of orders into analytics (.infra/logs/demo-history.log)${orders ? ', then the live demo orders' : ''}`,
    );
    current = startDemoScript('demo-history', 'scripts/demo-history/run.ts', ['--days', String(days)], gateway, placeOrders);
  } else {
    placeOrders();
  }
  const description = [
    days ? `${days} past days imported into analytics (.infra/logs/demo-history.log)` : '',
    orders ? `${orders} orders being placed in the background (.infra/logs/demo-orders.log)` : '',
  ]
    .filter(Boolean)
    .join(', then ');
  return {
    description,
    stop: () => {
      stopped = true;
      current?.kill('SIGTERM');
    },
  };
}

async function main(): Promise<void> {
  const fleet = new FleetProcesses({ root, logDir, env: process.env, onProgress: (m) => console.log(`    ${m}`) });
  const standIns = startProviderStandIns();
  let demo: ReturnType<typeof startDemo> | null = null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n==> ${signal}: stopping the fleet (in-flight requests finish, consumers commit, outboxes flush)`);
    demo?.stop();
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
  demo = startDemo(gateway);
  console.log(`
==> QuickCommerce is up
    gateway   ${gateway}/api/v1/...
    API docs  ${gateway}/docs
    health    ${gateway}/health   (every service: -H "authorization: Bearer $OPS_TOKEN")
    metrics   ${gateway}/metrics  (-H "authorization: Bearer $OPS_TOKEN"; the token is in .infra/secrets.env)
    emails    http://127.0.0.1:1080 (MailDev's inbox; REST at /api/email)
    SMS/push  http://127.0.0.1:1081/sms and /push (what would have been sent)
    dashboard ${gateway}/api/v1/analytics/dashboard (the demo admin: DEMO_ADMIN_EMAIL and DEMO_ADMIN_PASSWORD in .infra/secrets.env)
    demo      ${demo.description ? `${demo.description}; ` : ''}npm run demo:orders for more, npm run demo:history -- --days 7 for a longer past
    logs      .infra/logs/<service>.log
    Press Ctrl-C to stop the fleet.`);
}

void main();
