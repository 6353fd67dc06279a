import {
  FLEET,
  GATEWAY,
  PRODUCERS,
  SERVICES,
  allTopics,
  databaseUser,
  deadLetterTopic,
  domainEventTopics,
  envPrefix,
  eventsTopic,
  serviceSpec,
} from '@qc/shared/fleet';

/** DESIGN §2's prefix table, copied by hand so a drift in the manifest shows up here. */
const DESIGN_PREFIXES: Record<string, string[]> = {
  'user-service': ['/api/v1/auth', '/api/v1/users', '/.well-known/jwks.json'],
  'product-service': ['/api/v1/categories', '/api/v1/products'],
  'inventory-service': ['/api/v1/stores', '/api/v1/inventory'],
  'cart-service': ['/api/v1/carts'],
  'order-service': ['/api/v1/orders', '/api/v1/coupons'],
  'payment-service': ['/api/v1/payments', '/api/v1/wallet', '/api/v1/webhooks/payments'],
  'delivery-service': ['/api/v1/deliveries', '/api/v1/partners'],
  'notification-service': ['/api/v1/notifications'],
  'location-service': ['/api/v1/zones', '/api/v1/locations'],
  'analytics-service': ['/api/v1/analytics'],
};

describe('fleet manifest', () => {
  it('when listed, then the fleet is the gateway and ten services, eleven distinct names', () => {
    expect(FLEET).toHaveLength(11);
    expect(SERVICES).toHaveLength(10);
    expect(FLEET[0]).toBe(GATEWAY);
    expect(new Set(FLEET.map((s) => s.name)).size).toBe(11);
    expect(GATEWAY).toMatchObject({ name: 'api-gateway', port: 8080, schema: null });
  });

  it('when ports are read, then they are unique and exactly 8080–8090', () => {
    const ports = FLEET.map((s) => s.port).sort((a, b) => a - b);
    expect(ports).toEqual(Array.from({ length: 11 }, (_, i) => 8080 + i));
  });

  it('when schemas are read, then each service has its own qc_* schema and the gateway none', () => {
    const schemas = SERVICES.map((s) => s.schema);
    for (const schema of schemas) expect(schema).toMatch(/^qc_[a-z]+$/);
    expect(new Set(schemas).size).toBe(SERVICES.length);
    expect(serviceSpec('order-service').schema).toBe('qc_order');
  });

  it('when the prefixes are compared with DESIGN §2, then every prefix is served by its service', () => {
    for (const [service, prefixes] of Object.entries(DESIGN_PREFIXES)) {
      expect(serviceSpec(service).prefixes).toEqual(expect.arrayContaining(prefixes));
    }
  });

  it('when the prefixes are collected, then no prefix is claimed by two services or shadows another', () => {
    const all = FLEET.flatMap((s) => s.prefixes.map((prefix) => ({ prefix, service: s.name })));
    expect(new Set(all.map((p) => p.prefix)).size).toBe(all.length);
    for (const a of all) {
      for (const b of all) {
        if (a.service !== b.service) expect(b.prefix.startsWith(`${a.prefix}/`)).toBe(false);
      }
    }
  });

  it('when an unknown service is looked up, then serviceSpec throws', () => {
    expect(() => serviceSpec('teleport-service')).toThrow(/unknown service/);
  });

  it('when names are derived, then users, env prefixes and topics follow the conventions', () => {
    expect(databaseUser('order-service')).toBe('order_service');
    expect(envPrefix('api-gateway')).toBe('API_GATEWAY');
    expect(eventsTopic('order-service')).toBe('order.events');
    expect(deadLetterTopic('analytics-service')).toBe('dlq.analytics-service');
  });

  it('when the producers are listed, then every service but analytics publishes', () => {
    expect(PRODUCERS.map((s) => s.name).sort()).toEqual(
      SERVICES.map((s) => s.name)
        .filter((n) => n !== 'analytics-service')
        .sort(),
    );
  });

  it('when every topic is listed, then it holds each <x>.events and each dlq.<service>, once', () => {
    const topics = allTopics();
    const expected = [
      ...['user', 'product', 'inventory', 'order', 'cart', 'payment', 'delivery', 'notification', 'location'].map((x) => `${x}.events`),
      ...SERVICES.map((s) => `dlq.${s.name}`),
    ];
    expect([...topics].sort()).toEqual(expected.sort());
    expect(domainEventTopics()).not.toContain('analytics.events');
  });
});
