import { createHmac, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { ACCESS_TOKEN_ALGORITHM, type Role } from '../auth';

export interface TestTokenClaims {
  userId?: string;
  role?: Role;
  sessionId?: string;
  expiresInSeconds?: number;
  issuer?: string;
  audience?: string;
}

/**
 * Stands in for user-service's signing side in other services' component tests: an ES256 key and
 * a real JWKS endpoint on a free port, so the service under test verifies tokens exactly as in
 * production (set its JWKS_URL to `jwksUrl`). Issuer and audience default to the config defaults.
 */
export class TestTokenIssuer {
  readonly kid = `test-${randomUUID()}`;

  private constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
    private readonly server: Server,
  ) {}

  static async start(): Promise<TestTokenIssuer> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    let kid = '';
    const server = createServer((req, res) => {
      if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
      const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = new TestTokenIssuer(privateKey, publicKey, server);
    kid = issuer.kid;
    return issuer;
  }

  get jwksUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  /** A signed access token; every claim can be overridden to test rejections. */
  token(claims: TestTokenClaims = {}): string {
    return jwt.sign({ role: claims.role ?? 'customer', sid: claims.sessionId ?? randomUUID() }, this.privateKey, {
      algorithm: ACCESS_TOKEN_ALGORITHM,
      keyid: this.kid,
      subject: claims.userId ?? randomUUID(),
      issuer: claims.issuer ?? 'quickcommerce',
      audience: claims.audience ?? 'quickcommerce-api',
      expiresIn: claims.expiresInSeconds ?? 300,
    });
  }

  /** `Authorization` header value for a token with these claims. */
  bearer(claims: TestTokenClaims = {}): string {
    return `Bearer ${this.token(claims)}`;
  }

  /**
   * Tokens every verifier must refuse with 401 (the OWASP API2 list): each is a customer token for
   * `userId` made wrong in one way. `tamperedRole` is a valid token whose payload was edited to
   * say admin after signing.
   */
  forgedTokens(userId: string = randomUUID()): Record<string, string> {
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: userId,
      role: 'customer',
      sid: randomUUID(),
      iss: 'quickcommerce',
      aud: 'quickcommerce-api',
      iat: now,
      exp: now + 300,
    };
    const [header, , signature] = this.token({ userId }).split('.');
    const hmacWithPublicKey = (() => {
      const unsigned = `${b64({ alg: 'HS256', typ: 'JWT', kid: this.kid })}.${b64(claims)}`;
      const pem = this.publicKey.export({ format: 'pem', type: 'spki' });
      return `${unsigned}.${createHmac('sha256', pem).update(unsigned).digest('base64url')}`;
    })();
    const { privateKey: strangerKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return {
      algNone: `${b64({ alg: 'none', typ: 'JWT', kid: this.kid })}.${b64(claims)}.`,
      expired: this.token({ userId, expiresInSeconds: -60 }),
      wrongIssuer: this.token({ userId, issuer: 'https://evil.example' }),
      wrongAudience: this.token({ userId, audience: 'another-api' }),
      hs256SignedWithPublicKey: hmacWithPublicKey,
      tamperedRole: `${header}.${b64({ ...claims, role: 'admin' })}.${signature}`,
      unknownKid: jwt.sign({ role: 'customer', sid: randomUUID() }, strangerKey, {
        algorithm: ACCESS_TOKEN_ALGORITHM,
        keyid: `unknown-${randomUUID()}`,
        subject: userId,
        issuer: 'quickcommerce',
        audience: 'quickcommerce-api',
        expiresIn: 300,
      }),
      livesTooLong: this.token({ userId, expiresInSeconds: 24 * 3600 }),
      notAJwt: 'definitely-not-a-token',
    };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
