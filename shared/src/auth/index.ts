export { ROLES, ACCESS_TOKEN_ALGORITHM, MAX_ACCESS_TOKEN_SECONDS, AccessClaims, type Role, type Principal } from './principal';
export { RevocationList } from './revocations';
export {
  JWKS_REFRESH_MS,
  RemoteKeySet,
  TokenVerifier,
  remoteJwks,
  type KeyResolver,
  type RemoteJwksOptions,
  type TokenVerifierOptions,
} from './verifier';
export { authenticate, allow, anyone, bearerToken, principalOf } from './middleware';
