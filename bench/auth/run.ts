/**
 * `npm run bench:auth`: what authentication costs.
 * 1. Token checks in-process: one ES256 signature check (what a verifier pays the first time it sees
 *    a token) against a remembered one (every later request with the same token).
 * 2. Through the gateway, saturated: an anonymous request to a public route against the same
 *    request with a customer's token on a route that needs one; the ratio is the figure.
 * 3. Logins per second against user-service (argon2id, 19 MiB, t=2, p=1), 8 connections.
 * Prints figures, never fails on them (DESIGN §9). Needs `npm run build`, MySQL, Redis, Kafka and wrk.
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { RevocationList, TokenVerifier, remoteJwks } from '@qc/shared/auth';
import { createLogger } from '@qc/shared/logging';
import { createRedis } from '@qc/shared/redis';
import { TestTokenIssuer } from '@qc/shared/testing';
import { ROUNDS, measure, median, printTable, saveResults, startServer, stopServers, summarise, type Measurement } from '../lib/load.ts';

const LOGIN_CONNECTIONS = 8;

/** Microseconds per call of `fn`, over `iterations` calls after a short warm-up. */
async function perCall(iterations: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(200, iterations); i++) await fn();
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  return Number(process.hrtime.bigint() - started) / 1000 / iterations;
}

async function tokenChecks(): Promise<{ signatureUs: number; rememberedUs: number }> {
  const issuer = await TestTokenIssuer.start();
  const logger = createLogger('bench-auth', 'silent');
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', logger);
  await redis.connect();
  const revocations = new RevocationList(redis, logger);
  await revocations.start();
  try {
    const keys = remoteJwks(issuer.jwksUrl);
    const token = issuer.token();
    const kid = jwt.decode(token, { complete: true })!.header.kid!;
    const key = (await keys.publicKey(kid))!;
    const options = { algorithms: ['ES256' as const], issuer: 'quickcommerce', audience: 'quickcommerce-api' };
    const signatureUs = await perCall(2_000, () => jwt.verify(token, key, options));
    const verifier = new TokenVerifier({ keys, issuer: 'quickcommerce', audience: 'quickcommerce-api', revocations });
    await verifier.verify(token);
    const rememberedUs = await perCall(200_000, () => verifier.verifyRemembered(token));
    return { signatureUs, rememberedUs };
  } finally {
    await revocations.stop();
    await redis.quit();
    await issuer.close();
  }
}

async function main(): Promise<void> {
  console.log(`Node ${process.versions.node}, ${cpus().length} CPUs; ${ROUNDS} rounds, medians\n`);
  const checks = await tokenChecks();
  console.log(`ES256 signature check (jsonwebtoken):       ${checks.signatureUs.toFixed(1)} µs per token`);
  console.log(`remembered token (TokenVerifier):           ${checks.rememberedUs.toFixed(2)} µs per request`);

  const gatewayDir = join(import.meta.dirname, '..', 'gateway');
  const upstream = await startServer(join(gatewayDir, 'upstream.ts'));
  const gateway = await startServer(join(gatewayDir, 'gateway.ts'), { UPSTREAM_URL: upstream.url, LOG_LEVEL: 'info' });
  const bearer = `Bearer ${String(gateway.info.token)}`;
  const anonymousUrl = `${gateway.url}/api/v1/products`;
  const authenticatedUrl = `${gateway.url}/api/v1/orders`;
  for (const [url, headers] of [
    [anonymousUrl, {}],
    [authenticatedUrl, { authorization: bearer }],
  ] as const) {
    const res = await fetch(url, { headers });
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  }
  if ((await fetch(authenticatedUrl)).status !== 401) throw new Error(`${authenticatedUrl} answered without a token`);

  const anonymous: Measurement[] = [];
  const authenticated: Measurement[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    anonymous.push(measure(gateway, anonymousUrl));
    authenticated.push(measure(gateway, authenticatedUrl, { headers: { authorization: bearer } }));
    console.log(
      `round ${round}  anonymous ${anonymous.at(-1)!.requestsPerSecond.toFixed(0)} req/s, authenticated ${authenticated.at(-1)!.requestsPerSecond.toFixed(0)} req/s`,
    );
  }
  const proxied = [summarise('gateway, anonymous (public route)', anonymous), summarise('gateway, with a token', authenticated)];
  printTable('through the gateway, saturated', proxied);
  const ratio = proxied[1]!.requestsPerSecond / proxied[0]!.requestsPerSecond;
  console.log(`\nauthenticated / anonymous throughput: ${(ratio * 100).toFixed(1)} %`);

  const users = await startServer(join(import.meta.dirname, 'user-service.ts'));
  const email = `bench-${randomUUID()}@example.com`;
  const password = 'benchmark passphrase';
  const signup = await fetch(`${users.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, name: 'Bench' }),
  });
  if (signup.status !== 201) throw new Error(`sign-up answered ${signup.status}: ${await signup.text()}`);
  const logins: Measurement[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    logins.push(
      measure(users, `${users.url}/api/v1/auth/login`, {
        script: join(import.meta.dirname, 'login.lua'),
        args: [email, password],
        connections: LOGIN_CONNECTIONS,
      }),
    );
    console.log(`round ${round}  logins ${logins.at(-1)!.requestsPerSecond.toFixed(0)} per second`);
  }
  const loginSummary = summarise(`password logins (${LOGIN_CONNECTIONS} connections)`, logins);
  printTable('user-service', [loginSummary]);

  saveResults('auth', {
    node: process.versions.node,
    cpus: cpus().length,
    rounds: ROUNDS,
    tokenChecks: checks,
    proxied,
    authenticatedRatio: ratio,
    logins: loginSummary,
    runs: { anonymous, authenticated, logins },
    medianLoginMs: median(logins.map((m) => m.p50Ms)),
  });
}

main()
  .catch((err: Error) => {
    console.error(`bench failed: ${err.message}`);
    process.exitCode = 1;
  })
  .finally(stopServers);
