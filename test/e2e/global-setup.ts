import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import checkDependencies from '../../shared/test/global-setup';

const root = resolve(__dirname, '../..');

/**
 * The end-to-end tests start the compiled fleet (`<service>/dist/main.js`) and its commands: a dist/
 * older than the sources would test code that is no longer there. `make test` and `make test-e2e`
 * compile first; run straight through jest, this stops with what to do instead.
 */
export default async function globalSetup(): Promise<void> {
  await checkDependencies();
  const plan = execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', '--dry'], { cwd: root, encoding: 'utf8' });
  const stale = [...plan.matchAll(/would build project '([^']+)'/g)].map((m) =>
    m[1]!.replace(`${root}/`, '').replace(/\/tsconfig\.json$/, ''),
  );
  if (stale.length > 0) {
    throw new Error(`The compiled fleet is older than its sources (${stale.join(', ')}): run \`make build\` first (make test does).`);
  }
}
