/**
 * `npm run user:rotate-keys`: adds a new access-token signing key. Running replicas sign with it
 * within a minute; the old keys stay in the JWKS until every token they signed has expired.
 */
import { runCommand } from '@qc/shared/service';
import { createUserService } from '../service';
import { SigningKeyRing } from '../data/signing-keys';

runCommand(createUserService(), async ({ dataSource }) => {
  const kid = await new SigningKeyRing(dataSource).rotate();
  return `new signing key ${kid}; older keys retire once the tokens they signed have expired`;
});
