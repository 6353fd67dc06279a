import type { RequestHandler } from 'express';
import { ROLES, allow, anyone, type Role } from '@qc/shared/auth';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call a route at the gateway: anyone, or the roles listed. */
export type Access = 'public' | readonly Role[];

export interface AccessRule {
  /** Methods the rule covers; all of them when absent. */
  readonly methods?: readonly Method[];
  /** Path prefix, matched as the route table does: itself and anything below it. */
  readonly prefix: string;
  readonly access: Access;
}

const SIGNED_IN = ROLES;
const ADMIN: readonly Role[] = ['admin'];
const ANALYSTS: readonly Role[] = ['admin', 'analyst'];
const READ = ['GET'] as const;

/**
 * The gateway's role rules (DESIGN §2), first match wins. Public routes are an explicit allowlist;
 * anything not listed needs a token of any role (DEFAULT_ACCESS). Services check again, route by
 * route, with finer rules (ownership, who may change what): this table only turns away early what
 * a service would refuse anyway.
 */
export const ACCESS_RULES: readonly AccessRule[] = [
  // Signing up and in: tokens do not exist yet.
  ...['register', 'login', 'refresh', 'logout', 'otp/request', 'otp/verify'].map((action): AccessRule => ({
    methods: ['POST'],
    prefix: `/api/v1/auth/${action}`,
    access: 'public',
  })),
  { methods: READ, prefix: '/.well-known/jwks.json', access: 'public' },
  // Browsing before signing in: catalog, stores and availability, serviceability and geocoding.
  { methods: READ, prefix: '/api/v1/categories', access: 'public' },
  { methods: READ, prefix: '/api/v1/products', access: 'public' },
  { methods: READ, prefix: '/api/v1/stores', access: 'public' },
  { methods: READ, prefix: '/api/v1/locations', access: 'public' },
  // The payment provider calls these; payment-service checks their signature.
  { methods: ['POST'], prefix: '/api/v1/webhooks/payments', access: 'public' },
  // Everyone's own account, before the admin-only rule for the rest of /users.
  { prefix: '/api/v1/users/me', access: SIGNED_IN },
  { prefix: '/api/v1/users', access: ADMIN },
  // The analytics dashboard page and its assets sign in by themselves; its data is for analysts and admins.
  { methods: READ, prefix: '/api/v1/analytics/dashboard', access: 'public' },
  { prefix: '/api/v1/analytics', access: ANALYSTS },
  { prefix: '/api/v1/zones', access: ADMIN },
  { prefix: '/api/v1/inventory', access: ADMIN },
  // Catalog and stores: reads are public above; every write is an admin's.
  { prefix: '/api/v1/categories', access: ADMIN },
  { prefix: '/api/v1/products', access: ADMIN },
  { prefix: '/api/v1/stores', access: ADMIN },
];

export const DEFAULT_ACCESS: Access = SIGNED_IN;

const SLASH = 0x2f;

function covers(rule: AccessRule, method: string, path: string): boolean {
  if (rule.methods && !rule.methods.includes(method as Method) && !(method === 'HEAD' && rule.methods.includes('GET'))) return false;
  return path.startsWith(rule.prefix) && (path.length === rule.prefix.length || path.charCodeAt(rule.prefix.length) === SLASH);
}

export function accessFor(method: string, path: string, rules: readonly AccessRule[] = ACCESS_RULES): Access {
  return rules.find((rule) => covers(rule, method, path))?.access ?? DEFAULT_ACCESS;
}

/**
 * The role rule of the route a request is for, as middleware: the shared `anyone`/`allow` the
 * services use, so a refused token gets the same 401 (with its reason) at the gateway as behind it.
 * One handler per distinct rule, built once.
 */
export function enforceAccess(rules: readonly AccessRule[] = ACCESS_RULES): RequestHandler {
  const handlers = new Map<Access, RequestHandler>();
  for (const access of [...rules.map((r) => r.access), DEFAULT_ACCESS]) {
    if (!handlers.has(access)) handlers.set(access, access === 'public' ? anyone : allow(...access));
  }
  return (req, res, next) => handlers.get(accessFor(req.method, req.path, rules))!(req, res, next);
}
