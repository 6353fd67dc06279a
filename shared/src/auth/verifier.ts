import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { LRUCache } from 'lru-cache';
import { AppError } from '../http/errors';
import { ACCESS_TOKEN_ALGORITHM, AccessClaims, MAX_ACCESS_TOKEN_SECONDS, type Principal } from './principal';
import type { RevocationList } from './revocations';

/** Where the verifier finds the public key a token names in its `kid`. */
export interface KeyResolver {
  /** The key, or undefined when no such key exists. Throws an `unavailable` AppError when it cannot tell. */
  publicKey(kid: string): Promise<KeyObject | undefined>;
}

/** Seconds of clock difference tolerated between the signer and this process. */
const CLOCK_TOLERANCE_SECONDS = 5;
const KEY_CACHE_MS = 10 * 60_000;

/**
 * Keys from user-service's JWKS endpoint. jwks-rsa fetches the set when a `kid` is not known yet
 * (so a rotated-in key works at once) and rate-limits those fetches, so tokens with made-up `kid`s
 * cannot turn into a flood of requests to user-service. Parsed keys are kept for ten minutes: a
 * key removed from the set stops being trusted by then.
 */
export function remoteJwks(jwksUrl: string): KeyResolver {
  const client = new JwksClient({
    jwksUri: jwksUrl,
    cache: true,
    cacheMaxAge: KEY_CACHE_MS,
    rateLimit: true,
    jwksRequestsPerMinute: 10,
    timeout: 2_000,
  });
  const parsed = new LRUCache<string, KeyObject>({ max: 20, ttl: KEY_CACHE_MS });
  return {
    async publicKey(kid) {
      const known = parsed.get(kid);
      if (known) return known;
      try {
        const key = createPublicKey((await client.getSigningKey(kid)).getPublicKey());
        parsed.set(kid, key);
        return key;
      } catch (err) {
        const name = (err as Error).name;
        if (name === 'SigningKeyNotFoundError' || name === 'JwksRateLimitError') return undefined;
        throw new AppError('unavailable', 'AUTH_UNAVAILABLE', 'Signing keys cannot be fetched right now', {
          retryAfterSeconds: 5,
          cause: err,
        });
      }
    },
  };
}

export interface TokenVerifierOptions {
  keys: KeyResolver;
  issuer: string;
  audience: string;
  revocations: RevocationList;
  /** Verified tokens remembered, so a client's next requests skip the signature check. */
  cacheSize?: number;
}

function rejected(code: string, message: string): AppError {
  return new AppError('unauthenticated', code, message);
}

/**
 * Checks access tokens (DESIGN §3): ES256 only, with a known `kid`, the expected `iss` and `aud`,
 * not expired, living at most 15 minutes, with well-formed claims, and neither its session nor its
 * user revoked. An ECDSA check costs far more than the rest of a request's work at the gateway, so
 * a token that passed is remembered until it expires: a client's next requests cost a map lookup
 * plus the revocation check, which is in memory and runs every time.
 */
export class TokenVerifier {
  private readonly verified: LRUCache<string, Principal>;

  constructor(private readonly options: TokenVerifierOptions) {
    this.verified = new LRUCache({ max: options.cacheSize ?? 50_000, ttlAutopurge: false });
  }

  async verify(token: string): Promise<Principal> {
    return this.verifyRemembered(token) ?? this.checkRevocation(await this.verifySignature(token));
  }

  /**
   * The synchronous half of `verify`: the principal of a token verified before (and not revoked
   * since), or undefined when the signature still has to be checked. Saves a promise per request.
   */
  verifyRemembered(token: string): Principal | undefined {
    const principal = this.verified.get(token);
    return principal && this.checkRevocation(principal);
  }

  private checkRevocation(principal: Principal): Principal {
    if (this.options.revocations.isRevoked(principal)) throw rejected('TOKEN_REVOKED', 'Access token has been revoked');
    return principal;
  }

  private async verifySignature(token: string): Promise<Principal> {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw rejected('INVALID_TOKEN', 'Access token is malformed');
    const { alg, kid } = decoded.header;
    if (alg !== ACCESS_TOKEN_ALGORITHM || !kid) throw rejected('INVALID_TOKEN', 'Access token is not signed as expected');
    const key = await this.options.keys.publicKey(kid);
    if (!key) throw rejected('INVALID_TOKEN', 'Access token is signed with an unknown key');

    let payload: unknown;
    try {
      payload = jwt.verify(token, key, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
    } catch (err) {
      if ((err as Error).name === 'TokenExpiredError') throw rejected('TOKEN_EXPIRED', 'Access token has expired');
      throw rejected('INVALID_TOKEN', 'Access token is invalid');
    }
    const claims = AccessClaims.safeParse(payload);
    if (!claims.success || claims.data.exp - claims.data.iat > MAX_ACCESS_TOKEN_SECONDS) {
      throw rejected('INVALID_TOKEN', 'Access token claims are invalid');
    }
    const { sub, role, sid, iat, exp } = claims.data;
    const principal: Principal = { userId: sub, role, sessionId: sid, issuedAt: iat, expiresAt: exp };
    const ttl = exp * 1000 - Date.now();
    if (ttl > 0) this.verified.set(token, principal, { ttl });
    return principal;
  }
}
