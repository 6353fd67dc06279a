import { defineService } from '@qc/shared/service';
import { userSettings } from './config';
import { Identity1763769600000 } from './data/migrations/1763769600000-identity';
import { AnalystRole1765000000000 } from './data/migrations/1765000000000-analyst-role';
import { PreferencesWithoutChannels1765100000000 } from './data/migrations/1765100000000-preferences-without-channels';
import { serviceSecret } from './data/service-secrets';
import { SigningKeyRing } from './data/signing-keys';
import type { Identity } from './domain/identity';
import { authRateLimit } from './routes/auth-rate-limit';
import { authRoutes, jwksRoutes } from './routes/auth.routes';
import { adminRoutes, profileRoutes } from './routes/users.routes';

export const OTP_KEY_SECRET = 'otp-hmac-key';

/**
 * user-service: accounts, password and phone-code login, sessions with rotating refresh tokens,
 * profiles and addresses, user administration, and the keys access tokens are signed with. It
 * verifies tokens with its own key ring rather than through its JWKS endpoint.
 * A function, not a constant: each running instance gets its own key ring.
 */
export function createUserService() {
  let keys: SigningKeyRing | undefined;
  let otpKey: Buffer | undefined;
  return defineService({
    name: 'user-service',
    settings: userSettings,
    migrations: [Identity1763769600000, AnalystRole1765000000000, PreferencesWithoutChannels1765100000000],
    accessKeys: async (dataSource) => {
      otpKey = await serviceSecret(dataSource, OTP_KEY_SECRET);
      keys = await new SigningKeyRing(dataSource).start();
      return keys;
    },
    routes: (deps) => {
      const identity: Identity = {
        dataSource: deps.dataSource,
        outbox: deps.outbox,
        redis: deps.redis,
        revocations: deps.revocations,
        keys: keys!,
        otpKey: otpKey!,
        settings: deps.settings,
        tokens: { issuer: deps.config.JWT_ISSUER, audience: deps.config.JWT_AUDIENCE },
      };
      const limited = authRateLimit(deps);
      return [
        jwksRoutes(identity, deps.openapi),
        authRoutes(identity, deps.openapi, limited),
        profileRoutes(identity, deps.openapi, limited),
        adminRoutes(identity, deps.openapi),
      ];
    },
  });
}
