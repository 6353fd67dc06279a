/**
 * `npm run user:create-admin -- <email> <password>`: the first admin. See ensureAdmin. In a
 * container: `node dist/cli/create-admin.js <email> <password>` with the service's environment.
 */
import { runCommand } from '@qc/shared/service';
import { createUserService } from '../service';
import { ensureAdmin } from '../domain/administration';
import { Email } from '../routes/users.schemas';

const [email, password] = process.argv.slice(2);
const parsedEmail = Email.safeParse(email);
if (!parsedEmail.success || !password) {
  console.error('usage: npm run user:create-admin -- <email> <password>');
  process.exit(2);
}

runCommand(createUserService(), async ({ outbox }) => {
  const outcome = await ensureAdmin({ outbox }, parsedEmail.data, password);
  return {
    created: `created admin ${parsedEmail.data}`,
    promoted: `${parsedEmail.data} already had an account: it is now an admin (its password is unchanged)`,
    unchanged: `${parsedEmail.data} is already an admin (its password is unchanged)`,
  }[outcome];
});
