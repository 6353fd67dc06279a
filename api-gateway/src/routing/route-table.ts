import type { ServiceSpec } from '@qc/shared/fleet';

export interface Route {
  /** Public path prefix, e.g. `/api/v1/orders`; forwarded as it is (paths are never rewritten). */
  readonly prefix: string;
  /** Service that serves the prefix, e.g. `order-service`. */
  readonly service: string;
  /** Label for metrics: the prefix as a template, never the raw path, so cardinality stays bounded. */
  readonly label: string;
}

const SLASH = 0x2f;

/**
 * Which service serves a path (DESIGN §2), built from the fleet manifest so a service's prefixes
 * are declared in one place. A prefix matches itself and anything below it (`/api/v1/orders/42`),
 * never a longer sibling (`/api/v1/ordersx`); the longest matching prefix wins.
 */
export class RouteTable {
  private readonly routes: readonly Route[];

  constructor(services: readonly ServiceSpec[]) {
    this.routes = services
      .flatMap((spec) => spec.prefixes.map((prefix) => ({ prefix, service: spec.name, label: `${prefix}/*` })))
      .sort((a, b) => b.prefix.length - a.prefix.length);
  }

  match(path: string): Route | undefined {
    // A linear scan over ~20 prefixes with startsWith is faster here than building a trie per request.
    for (const route of this.routes) {
      if (path.startsWith(route.prefix) && (path.length === route.prefix.length || path.charCodeAt(route.prefix.length) === SLASH)) {
        return route;
      }
    }
    return undefined;
  }

  /** Whether the gateway forwards `path` to `service` (the merged API document keeps only such paths). */
  forwardsTo(path: string, service: string): boolean {
    return this.match(path)?.service === service;
  }
}
