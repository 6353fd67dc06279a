import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import { AppError } from '../http/errors';
import { logSparingly, type Logger } from '../logging';
import { ACCESS_TOKEN_ALGORITHM, AccessClaims, MAX_ACCESS_TOKEN_SECONDS, type Principal } from './principal';
import type { RevocationList } from './revocations';

/** Where the verifier finds the public key a token names in its `kid`. */
export interface KeyResolver {
  /** The key, or undefined when no such key exists. Throws an `unavailable` AppError when it cannot tell. */
  publicKey(kid: string): Promise<KeyObject | undefined>;
}

/** Seconds of clock difference tolerated between the signer and this process. */
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * How often a verifier fetches the whole key set again. user-service publishes a new key at least
 * twice this long before it signs with it (SigningKeyRing), so every verifier holds a key before
 * the first token signed with it arrives, without fetching on that token's account.
 */
export const JWKS_REFRESH_MS = 60_000;

export interface RemoteJwksOptions {
  /** How often the whole set is fetched again; JWKS_REFRESH_MS by default. */
  refreshMs?: number;
  /**
   * Least time between two fetches asked for by a `kid` the set lacks (between refreshes). However
   * many made-up `kid`s arrive, user-service is asked no more often than this on their account.
   */
  minFetchGapMs?: number;
  /** How long a `kid` a fresh set lacked is answered "unknown" at once; the refresh interval by default. */
  missTtlMs?: number;
  /** Deadline of one fetch. */
  timeoutMs?: number;
  /** Where failed fetches are reported (sparingly); nowhere when absent. */
  logger?: Logger;
}

/**
 * user-service's public keys (JWKS_URL), held as a whole set: fetched at the first token, then again
 * every `refreshMs` on a timer; a key dropped from the set stops verifying at the next refresh.
 * A token naming a `kid` the set lacks may trigger one extra fetch, at most one per
 * `minFetchGapMs` whatever the number of such tokens, and a `kid` still missing afterwards is
 * remembered as a miss for `missTtlMs`. Tokens with made-up `kid`s therefore cost user-service at
 * most one request per gap, and cannot use up a budget that a real key would need: real keys come
 * with the timer, never through a per-`kid` fetch that made-up `kid`s could crowd out.
 *
 * When a fetch fails the set in hand stays in use; with no set at all yet, verification answers
 * 503 `AUTH_UNAVAILABLE` until a fetch succeeds.
 */
export class RemoteKeySet implements KeyResolver {
  private keys: ReadonlyMap<string, KeyObject> | undefined;
  private readonly misses: LRUCache<string, true>;
  private fetching: Promise<void> | undefined;
  private lastAttemptAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private readonly refreshMs: number;
  private readonly minFetchGapMs: number;
  private readonly timeoutMs: number;
  private readonly reportFailure: (err: unknown) => void;

  constructor(
    private readonly url: string,
    options: RemoteJwksOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? JWKS_REFRESH_MS;
    this.minFetchGapMs = options.minFetchGapMs ?? 10_000;
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.misses = new LRUCache({ max: 10_000, ttl: options.missTtlMs ?? this.refreshMs });
    const logger = options.logger;
    this.reportFailure = logger
      ? logSparingly((err: unknown) => logger.warn({ err, jwksUrl: url }, 'signing keys could not be fetched'))
      : () => undefined;
  }

  async publicKey(kid: string): Promise<KeyObject | undefined> {
    this.timer ??= setInterval(() => void this.fetch().catch(this.reportFailure), this.refreshMs).unref();
    const known = this.keys?.get(kid);
    if (known) return known;
    if (this.keys && this.misses.has(kid)) return undefined;
    // An unknown kid, or no set yet: fetch unless one was tried lately (then join it if still running).
    if (Date.now() - this.lastAttemptAt >= this.minFetchGapMs) await this.fetch().catch(this.reportFailure);
    else if (this.fetching) await this.fetching.catch(() => undefined);
    if (!this.keys) {
      throw new AppError('unavailable', 'AUTH_UNAVAILABLE', 'Signing keys cannot be fetched right now', { retryAfterSeconds: 5 });
    }
    const key = this.keys.get(kid);
    if (!key) this.misses.set(kid, true);
    return key;
  }

  /** Stops the refresh timer. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One fetch of the whole set at a time; callers arriving meanwhile share it. */
  private fetch(): Promise<void> {
    this.fetching ??= this.fetchSet().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async fetchSet(): Promise<void> {
    this.lastAttemptAt = Date.now();
    const response = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`${this.url} answered ${response.status}`);
    }
    this.keys = parseKeySet(await response.json());
  }
}

/** The usable keys of a JWKS document: ES256 signing keys with a `kid`; anything else is skipped. */
function parseKeySet(document: unknown): Map<string, KeyObject> {
  const listed = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(listed)) throw new Error('the JWKS document has no keys array');
  const keys = new Map<string, KeyObject>();
  for (const jwk of listed as JsonWebKey[]) {
    if (typeof jwk.kid !== 'string' || (jwk.alg ?? ACCESS_TOKEN_ALGORITHM) !== ACCESS_TOKEN_ALGORITHM || (jwk.use ?? 'sig') !== 'sig')
      continue;
    try {
      const key = createPublicKey({ key: jwk, format: 'jwk' });
      if (key.asymmetricKeyType === 'ec') keys.set(jwk.kid, key);
    } catch {
      // A malformed key cannot verify anything; the others still can.
    }
  }
  return keys;
}

/** user-service's keys at `jwksUrl`, as RemoteKeySet keeps them. */
export function remoteJwks(jwksUrl: string, options: RemoteJwksOptions = {}): RemoteKeySet {
  return new RemoteKeySet(jwksUrl, options);
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
