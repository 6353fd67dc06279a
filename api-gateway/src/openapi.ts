import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';
import { GATEWAY } from '@qc/shared/fleet';
import { REQUEST_ID_HEADER } from '@qc/shared/http';
import { currentContext } from '@qc/shared/logging';
import { createOpenApiRegistry, documentOperationalEndpoint, generateDocument } from '@qc/shared/openapi';
import type { RouteTable } from './routing/route-table';
import type { UpstreamPool } from './routing/upstream-pool';

/** What the merge needs from a document; everything else in it is passed through untouched. */
const ApiDocumentPart = z.looseObject({
  openapi: z.string().regex(/^3\.1\./, 'must be OpenAPI 3.1'),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  components: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  tags: z.array(z.looseObject({ name: z.string() })).default([]),
});
type ApiDocumentPart = z.output<typeof ApiDocumentPart>;

export interface ApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
  /** Services whose document could not be fetched this time; their paths are missing. */
  'x-unavailable': string[];
}

export interface ServiceApiDocument {
  service: string;
  document: unknown;
}

const OPERATIONS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * One OpenAPI 3.1 document out of the gateway's own and every service's. Only paths the gateway
 * routes to a service are kept from its document. Operations without tags are tagged with their
 * service, so the UI groups them by service. Two services defining the same component name
 * differently keep both: the later one is renamed `<service>.<name>` and its `$ref`s follow.
 * Security schemes are referred to by name, not `$ref`, so for those the first definition wins.
 */
export function mergeApiDocuments(parts: ServiceApiDocument[], unavailable: string[], routes: RouteTable): ApiDocument {
  const merged: ApiDocument = {
    openapi: '3.1.0',
    info: {
      title: 'QuickCommerce API',
      version: '1.0.0',
      description: 'Every service behind the API gateway. Services listed in x-unavailable could not be asked this time.',
    },
    tags: [],
    paths: {},
    components: {},
    'x-unavailable': [...unavailable],
  };
  for (const part of parts) {
    const parsed = ApiDocumentPart.safeParse(part.document);
    if (!parsed.success) {
      merged['x-unavailable'].push(part.service);
      continue;
    }
    const document = withConflictsRenamed(parsed.data, part.service, merged.components);
    const keepPath = (path: string) => part.service === GATEWAY.name || routes.forwardsTo(path, part.service);
    for (const [path, item] of Object.entries(document.paths)) {
      if (keepPath(path) && merged.paths[path] === undefined) merged.paths[path] = tagged(item, part.service);
    }
    for (const [section, entries] of Object.entries(document.components)) {
      const target = (merged.components[section] ??= {});
      for (const [name, value] of Object.entries(entries)) target[name] ??= value;
    }
    const known = new Set(merged.tags.map((t) => t.name));
    for (const tag of [{ name: part.service, description: `Served by ${part.service}` }, ...document.tags]) {
      if (known.has(tag.name)) continue;
      merged.tags.push(tag);
      known.add(tag.name);
    }
  }
  return merged;
}

function tagged(item: Record<string, unknown>, service: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(item).map(([key, value]) => {
      const operation = value as { tags?: string[] };
      return OPERATIONS.has(key) && !operation.tags?.length ? [key, { ...operation, tags: [service] }] : [key, value];
    }),
  );
}

function withConflictsRenamed(document: ApiDocumentPart, service: string, existing: ApiDocument['components']): ApiDocumentPart {
  const renames = new Map<string, string>();
  const components: ApiDocumentPart['components'] = {};
  for (const [section, entries] of Object.entries(document.components)) {
    components[section] = {};
    for (const [name, value] of Object.entries(entries)) {
      const taken = existing[section]?.[name];
      const conflicts = section !== 'securitySchemes' && taken !== undefined && JSON.stringify(taken) !== JSON.stringify(value);
      const finalName = conflicts ? `${service}.${name}` : name;
      if (conflicts) renames.set(`#/components/${section}/${name}`, `#/components/${section}/${finalName}`);
      components[section][finalName] = value;
    }
  }
  if (renames.size === 0) return document;
  // A JSON round trip with a reviver rewrites every `$ref` at any depth.
  return JSON.parse(JSON.stringify({ ...document, components }), (key, value) =>
    key === '$ref' && typeof value === 'string' ? (renames.get(value) ?? value) : value,
  ) as ApiDocumentPart;
}

/** The gateway's own endpoints, described with the same registry the services use. */
function gatewayDocument(): unknown {
  const registry = createOpenApiRegistry();
  const health = { 200: 'Healthy (application/health+json)', 503: 'Not healthy; the checks say why' };
  const endpoints: { path: string; summary: string; responses: Record<number, string> }[] = [
    {
      path: '/health',
      summary: 'Whether the fleet can serve; every service and breaker with the operations token (Bearer OPS_TOKEN)',
      responses: health,
    },
    { path: '/health/ready', summary: 'Whether this gateway can route requests', responses: health },
    { path: '/health/live', summary: 'Whether the gateway process answers', responses: health },
    {
      path: '/metrics',
      summary: 'Prometheus metrics; needs the operations token (Bearer OPS_TOKEN)',
      responses: { 200: 'Prometheus text format', 401: 'No operations token' },
    },
    { path: '/openapi.json', summary: 'This document', responses: { 200: 'OpenAPI 3.1' } },
  ];
  for (const endpoint of endpoints) documentOperationalEndpoint(registry, { ...endpoint, tag: GATEWAY.name });
  return generateDocument(registry, GATEWAY.name);
}

export interface ApiDocsDeps {
  pools: ReadonlyMap<string, UpstreamPool>;
  routes: RouteTable;
  probeTimeoutMs: number;
  cacheMs: number;
}

/**
 * `GET /openapi.json`: the merged document, rebuilt at most every OPENAPI_CACHE_MS (concurrent
 * requests share one rebuild). `GET /docs/`: Swagger UI on that document, served from this
 * origin so the default Content-Security-Policy allows it (no inline script, no CDN).
 */
export function apiDocsRoutes({ pools, routes, probeTimeoutMs, cacheMs }: ApiDocsDeps): Router {
  const own = gatewayDocument();
  let cached: { document: ApiDocument; expiresAt: number } | undefined;
  let building: Promise<ApiDocument> | undefined;

  const rebuild = async (): Promise<ApiDocument> => {
    const fetched = await Promise.all(
      [...pools.values()].map(async (pool) => ({ service: pool.service, document: await fetchDocument(pool, probeTimeoutMs) })),
    );
    const available = fetched.filter((f) => f.document !== undefined);
    const unavailable = fetched.filter((f) => f.document === undefined).map((f) => f.service);
    const document = mergeApiDocuments([{ service: GATEWAY.name, document: own }, ...available], unavailable, routes);
    cached = { document, expiresAt: Date.now() + cacheMs };
    return document;
  };
  const current = (): Promise<ApiDocument> => {
    if (cached && cached.expiresAt > Date.now()) return Promise.resolve(cached.document);
    building ??= rebuild().finally(() => (building = undefined));
    return building;
  };

  const ui = { customSiteTitle: 'QuickCommerce API', swaggerOptions: { url: '/openapi.json', validatorUrl: null } };
  return (
    Router()
      .get('/openapi.json', async (_req, res) => void res.json(await current()))
      // The UI loads its assets relative to the page, so the page must be `/docs/`, not `/docs`.
      .get(/^\/docs$/, (_req, res) => res.redirect(301, '/docs/'))
      .use('/docs', swaggerUi.serveFiles(undefined, ui), swaggerUi.setup(undefined, ui))
  );
}

/** The first instance (of those whose breaker is not open) that serves its document in time. */
async function fetchDocument(pool: UpstreamPool, timeoutMs: number): Promise<unknown> {
  const requestId = currentContext()?.requestId;
  for (const instance of pool.instances) {
    if (instance.state === 'open') continue;
    try {
      const response = await fetch(`${instance.url}/openapi.json`, {
        headers: { accept: 'application/json', ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}) },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.ok) return await response.json();
      await response.body?.cancel();
    } catch {
      // unreachable, too slow or not JSON: try the next instance
    }
  }
  return undefined;
}
