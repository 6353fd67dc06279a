import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { ACCESS_TOKEN_ALGORITHM, JWKS_REFRESH_MS, MAX_ACCESS_TOKEN_SECONDS, type KeyResolver } from '@qc/shared/auth';
import type { DataSource } from '@qc/shared/db';

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JsonWebKey;
  createdAt: Date;
}

/** Other replicas' rotations are picked up this often (and at once when a token names a new kid). */
const RELOAD_INTERVAL_MS = 60_000;
const MIN_RELOAD_GAP_MS = 5_000;

/**
 * How long a new key is in the JWKS before it signs: twice the verifiers' refresh interval (a
 * refresh may be under way, or may fail once), and longer than this ring's own reload, so every
 * verifier and every replica holds the key before the first token it signed. Verifiers never have
 * to fetch on a new key's account, where made-up kids could stand in their way.
 */
export const KEY_PUBLISH_AHEAD_MS = 2 * JWKS_REFRESH_MS;

/** RFC 7638 thumbprint of an EC public key: the `kid`, stable for the key and unique to it. */
function thumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * The ES256 keys user-service signs access tokens with, kept in its own schema so every replica
 * signs with the same keys; the first start generates one (keys are never committed or shipped).
 * The newest key published for at least `publishAheadMs` signs (the only key, on the first start).
 * Rotation adds a new key to the JWKS at once and gives the old ones a retirement time after the
 * last token they may sign has expired; until then the JWKS lists old and new, so no valid token
 * stops verifying when keys change.
 */
export class SigningKeyRing implements KeyResolver {
  private keys = new Map<string, SigningKey>();
  private loadedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publishAheadMs = KEY_PUBLISH_AHEAD_MS,
  ) {}

  /** Loads the keys, generating the first one if there is none, and keeps them fresh. */
  async start(): Promise<this> {
    await this.reload();
    if (this.keys.size === 0) {
      await this.addKey();
      await this.reload();
    }
    this.timer = setInterval(() => void this.reload().catch(() => undefined), RELOAD_INTERVAL_MS).unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * The key new tokens are signed with: the newest one published at least `publishAheadMs` ago, or
   * the oldest while none has been (the first key of a new schema signs at once: no token exists yet).
   */
  current(): SigningKey {
    const publishedBefore = Date.now() - this.publishAheadMs;
    let newestPublished: SigningKey | undefined;
    let oldest: SigningKey | undefined;
    for (const key of this.keys.values()) {
      if (key.createdAt.getTime() <= publishedBefore && (!newestPublished || key.createdAt > newestPublished.createdAt))
        newestPublished = key;
      if (!oldest || key.createdAt < oldest.createdAt) oldest = key;
    }
    const signing = newestPublished ?? oldest;
    if (!signing) throw new Error('no signing key loaded');
    return signing;
  }

  async publicKey(kid: string): Promise<KeyObject | undefined> {
    if (!this.keys.has(kid)) await this.reloadIfOlderThan(MIN_RELOAD_GAP_MS);
    return this.keys.get(kid)?.publicKey;
  }

  /**
   * The JSON Web Key Set served at `/.well-known/jwks.json`: every key not yet retired. Verifiers
   * ask for it when a token names a key they do not know, possibly one another replica rotated in
   * seconds ago, so the set is read again unless it was read in the last few seconds.
   */
  async jwks(): Promise<{ keys: JsonWebKey[] }> {
    await this.reloadIfOlderThan(MIN_RELOAD_GAP_MS);
    return { keys: [...this.keys.values()].map((key) => key.jwk) };
  }

  private async reloadIfOlderThan(ms: number): Promise<void> {
    if (Date.now() - this.loadedAt > ms) await this.reload();
  }

  /**
   * Adds a new key to the JWKS, to sign once it has been published `publishAheadMs`, and retires
   * the others once every token they may sign until then has expired.
   */
  async rotate(): Promise<string> {
    const kid = await this.dataSource.transaction(async (tx) => {
      await tx.query('UPDATE signing_keys SET retires_at = ? WHERE retires_at IS NULL', [
        new Date(Date.now() + this.publishAheadMs + (MAX_ACCESS_TOKEN_SECONDS + 60) * 1000),
      ]);
      return this.addKey(tx);
    });
    await this.reload();
    return kid;
  }

  private async addKey(tx: Pick<DataSource, 'query'> = this.dataSource): Promise<string> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const kid = thumbprint(jwk);
    // This process's clock, as for retires_at: when a key starts signing is compared with it.
    await tx.query('INSERT INTO signing_keys (kid, private_key, public_jwk, created_at) VALUES (?, ?, ?, ?)', [
      kid,
      privateKey.export({ format: 'pem', type: 'pkcs8' }),
      JSON.stringify({ ...jwk, kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' }),
      new Date(),
    ]);
    return kid;
  }

  private async reload(): Promise<void> {
    const rows: { kid: string; private_key: string; public_jwk: string; created_at: Date }[] = await this.dataSource.query(
      'SELECT kid, private_key, public_jwk, created_at FROM signing_keys WHERE retires_at IS NULL OR retires_at > ?',
      [new Date()],
    );
    this.keys = new Map(
      rows.map((row) => {
        const privateKey = createPrivateKey(row.private_key);
        return [
          row.kid,
          { kid: row.kid, privateKey, publicKey: createPublicKey(privateKey), jwk: JSON.parse(row.public_jwk), createdAt: row.created_at },
        ];
      }),
    );
    this.loadedAt = Date.now();
  }
}
