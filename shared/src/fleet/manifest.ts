/**
 * The fleet manifest: every service, its port, schema, topic and the public path prefixes it
 * serves. The gateway's route table, the database provisioning, the fleet runner and the compose
 * checks all read this one list, so a service is added in one place.
 */
export interface ServiceSpec {
  /** Folder and process name, e.g. `order-service`. */
  readonly name: string;
  readonly port: number;
  /** MySQL schema; the gateway has none (it keeps its state in Redis). */
  readonly schema: string | null;
  /** Path prefixes the gateway forwards to this service (paths are never rewritten). */
  readonly prefixes: readonly string[];
  /** The process's script, relative to the repository root; `<name>/dist/main.js` when absent. */
  readonly entry?: string;
}

export const GATEWAY: ServiceSpec = {
  name: 'api-gateway',
  port: 8080,
  schema: null,
  prefixes: [],
};

export const SERVICES: readonly ServiceSpec[] = [
  { name: 'user-service', port: 8081, schema: 'qc_user', prefixes: ['/api/v1/auth', '/api/v1/users', '/.well-known/jwks.json'] },
  { name: 'product-service', port: 8082, schema: 'qc_product', prefixes: ['/api/v1/categories', '/api/v1/products'] },
  { name: 'inventory-service', port: 8083, schema: 'qc_inventory', prefixes: ['/api/v1/stores', '/api/v1/inventory'] },
  { name: 'order-service', port: 8084, schema: 'qc_order', prefixes: ['/api/v1/orders', '/api/v1/coupons'] },
  { name: 'cart-service', port: 8085, schema: 'qc_cart', prefixes: ['/api/v1/carts'] },
  {
    name: 'payment-service',
    port: 8086,
    schema: 'qc_payment',
    prefixes: ['/api/v1/payments', '/api/v1/wallet', '/api/v1/webhooks/payments'],
  },
  { name: 'delivery-service', port: 8087, schema: 'qc_delivery', prefixes: ['/api/v1/deliveries', '/api/v1/partners'] },
  { name: 'notification-service', port: 8088, schema: 'qc_notification', prefixes: ['/api/v1/notifications'] },
  { name: 'location-service', port: 8089, schema: 'qc_location', prefixes: ['/api/v1/zones', '/api/v1/locations'] },
  { name: 'analytics-service', port: 8090, schema: 'qc_analytics', prefixes: ['/api/v1/analytics'] },
];

/**
 * The payment provider's sandbox (payment-service/src/sandbox-psp): not one of our services but
 * the stand-in for a real PSP's test mode, which `make run` and the end-to-end tests start beside
 * the fleet. No schema, not behind the gateway: payment-service calls its API, it calls
 * payment-service's webhook.
 */
export const SANDBOX_PSP: ServiceSpec = {
  name: 'sandbox-psp',
  port: 8099,
  schema: null,
  prefixes: [],
  entry: 'payment-service/dist/sandbox-psp/main.js',
};

/** Gateway first, then the ten services: the order `make run` starts them in reverse. */
export const FLEET: readonly ServiceSpec[] = [GATEWAY, ...SERVICES];

export function serviceSpec(name: string): ServiceSpec {
  const spec = [...FLEET, SANDBOX_PSP].find((s) => s.name === name);
  if (!spec) throw new Error(`unknown service ${name}`);
  return spec;
}

/** `order-service` → `order_service`: the service's MySQL user. */
export function databaseUser(service: string): string {
  return service.replace(/-/g, '_');
}

/** `order-service` → `ORDER_SERVICE`: prefix of its per-service environment variables. */
export function envPrefix(service: string): string {
  return service.replace(/-/g, '_').toUpperCase();
}

/** Topic each producing service publishes on. */
export function eventsTopic(service: string): string {
  return `${service.replace(/-service$/, '')}.events`;
}

/** Dead-letter topic of one consuming service. */
export function deadLetterTopic(consumer: string): string {
  return `dlq.${consumer}`;
}

/** analytics-service only consumes; every other service publishes on its own topic. */
export const PRODUCERS: readonly ServiceSpec[] = SERVICES.filter((s) => s.name !== 'analytics-service');

/** `user.events`, `product.events`, …: what notification and analytics consume. */
export function domainEventTopics(): string[] {
  return PRODUCERS.map((s) => eventsTopic(s.name));
}

/** Every topic the platform creates up front: one per producing service, one DLQ per service. */
export function allTopics(): string[] {
  return [...domainEventTopics(), ...SERVICES.map((s) => deadLetterTopic(s.name))];
}
