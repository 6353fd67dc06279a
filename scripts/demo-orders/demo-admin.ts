/**
 * The demo admin the demo scripts act as: DEMO_ADMIN_EMAIL (demo-admin@example.com) with
 * DEMO_ADMIN_PASSWORD (random), written once into the git-ignored .infra/secrets.env by `make infra`.
 * The account is made with user-service's create-admin command when missing (nothing changes when
 * it exists); sign in to the dashboard with it. Used by `npm run demo:orders` and `npm run demo:history`.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(import.meta.dirname, '../..');

/** Makes the demo admin when missing, signs in through the gateway and gives the access token; `command` names the caller in messages. */
export async function signInAsDemoAdmin(gateway: string, command: string, log: (line: string) => void): Promise<string> {
  const { DEMO_ADMIN_EMAIL: email, DEMO_ADMIN_PASSWORD: password } = process.env;
  if (!email || !password) {
    throw new Error(
      `DEMO_ADMIN_EMAIL and DEMO_ADMIN_PASSWORD are not set: \`make infra\` writes them into .infra/secrets.env, which ${command} reads.`,
    );
  }
  try {
    const made = await promisify(execFile)(process.execPath, [resolve(root, 'user-service/dist/cli/create-admin.js'), email, password], {
      env: process.env,
    });
    log(made.stdout.trim());
  } catch (err) {
    const failed = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`could not make the demo admin ${email}: ${(failed.stderr || failed.stdout || failed.message).trim()}`, { cause: err });
  }
  const login = await fetch(`${gateway}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200)
    throw new Error(`the demo admin ${email} could not sign in at ${gateway}: ${login.status} ${await login.text()}`);
  return ((await login.json()) as { data: { accessToken: string } }).data.accessToken;
}
