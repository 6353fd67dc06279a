/**
 * `make run`'s last step: starts the eleven services as processes, waits until each is ready,
 * prints where to look, and stops them all cleanly on Ctrl-C (SIGINT) or SIGTERM.
 */
import { resolve } from 'node:path';
import { GATEWAY } from '../manifest';
import { FleetProcesses } from '../launcher';

const root = resolve(__dirname, '../../../..');
const logDir = resolve(root, '.infra/logs');

async function main(): Promise<void> {
  const fleet = new FleetProcesses({ root, logDir, env: process.env, onProgress: (m) => console.log(`    ${m}`) });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n==> ${signal}: stopping the fleet (in-flight requests finish, consumers commit, outboxes flush)`);
    await fleet.stop();
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
    process.exit(1);
  }
  const gateway = `http://127.0.0.1:${GATEWAY.port}`;
  console.log(`
==> QuickCommerce is up
    gateway   ${gateway}/api/v1/...
    API docs  ${gateway}/docs
    health    ${gateway}/health   (every service: -H "authorization: Bearer $OPS_TOKEN")
    metrics   ${gateway}/metrics  (-H "authorization: Bearer $OPS_TOKEN"; the token is in .infra/secrets.env)
    logs      .infra/logs/<service>.log
    Press Ctrl-C to stop the fleet.`);
}

void main();
