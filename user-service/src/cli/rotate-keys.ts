/**
 * `npm run user:rotate-keys`: adds a new access-token signing key. It is in the JWKS at once and
 * signs two minutes later (KEY_PUBLISH_AHEAD_MS), once every verifier has fetched it; the old keys
 * stay in the JWKS until every token they signed has expired.
 */
import { runCommand } from '@qc/shared/service';
import { createUserService } from '../service';
import { KEY_PUBLISH_AHEAD_MS, SigningKeyRing } from '../data/signing-keys';

runCommand(createUserService(), async ({ dataSource }) => {
  const kid = await new SigningKeyRing(dataSource).rotate();
  return `new signing key ${kid}, published now, signing in ${KEY_PUBLISH_AHEAD_MS / 1000} s; older keys retire once the tokens they signed have expired`;
});
