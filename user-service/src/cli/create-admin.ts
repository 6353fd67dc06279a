/**
 * `npm run user:create-admin -- <email> <password> [--promote-existing]`: the first admin. See
 * ensureAdmin. In a container: `node dist/cli/create-admin.js <email> <password>` with the service's
 * environment. An email that already has an account is refused unless --promote-existing is given.
 */
import { parseArgs } from 'node:util';
import { RevocationList } from '@qc/shared/auth';
import { loadConfig, serviceEnv } from '@qc/shared/config';
import { createLogger } from '@qc/shared/logging';
import { createRedis } from '@qc/shared/redis';
import { runCommand } from '@qc/shared/service';
import { createUserService } from '../service';
import { ensureAdmin } from '../domain/administration';
import { Email } from '../routes/users.schemas';

const usage = 'usage: npm run user:create-admin -- <email> <password> [--promote-existing]';
const args = (() => {
  try {
    return parseArgs({ allowPositionals: true, options: { 'promote-existing': { type: 'boolean', default: false } } });
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${usage}`);
    process.exit(2);
  }
})();
const [email, password] = args.positionals;
const parsedEmail = Email.safeParse(email);
if (!parsedEmail.success || !password || args.positionals.length > 2) {
  console.error(usage);
  process.exit(2);
}
const promoteExisting = args.values['promote-existing'];

runCommand(createUserService(), async ({ outbox, env }) => {
  // Ending a promoted account's sessions revokes their access tokens everywhere, through Redis.
  const logger = createLogger('user-service', 'warn');
  const redis = createRedis(loadConfig(serviceEnv.pick({ REDIS_URL: true, REDIS_KEY_PREFIX: true }), env), logger);
  await redis.connect();
  try {
    const result = await ensureAdmin({ outbox, revocations: new RevocationList(redis, logger) }, parsedEmail.data, password, {
      promoteExisting,
    });
    switch (result.outcome) {
      case 'created':
        return `created admin ${parsedEmail.data}`;
      case 'unchanged':
        return `${parsedEmail.data} is already an admin (nothing changed; its password is unchanged)`;
      case 'promoted':
        return `${parsedEmail.data} is now an admin: its password is the one given, and its ${result.sessionsEnded} open session(s) ended`;
    }
  } finally {
    redis.disconnect();
  }
});
