import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { RunningService } from '@qc/shared/service';
import { outboxEvents as allOutboxEvents, startServiceUnderTest, type TestSchema, type TestTokenIssuer } from '@qc/shared/testing';
import { definition } from '../../src/service';

/** One product-service on its own schema, with a token issuer standing in for user-service. */
export interface TestCatalog {
  schema: TestSchema;
  service: RunningService;
  issuer: TestTokenIssuer;
  api: () => ReturnType<typeof request>;
  admin: () => string;
  customer: () => string;
  stop: () => Promise<void>;
}

export async function startCatalog(label: string, env: Record<string, string> = {}): Promise<TestCatalog> {
  const { schema, service, issuer, stop } = await startServiceUnderTest(definition, { label, env });
  return {
    schema,
    service,
    issuer,
    api: () => request(service.server),
    admin: () => issuer.bearer({ role: 'admin' }),
    customer: () => issuer.bearer({ role: 'customer' }),
    stop,
  };
}

/** A unique suffix so each test owns its SKUs and slugs. */
export const unique = () => randomUUID().slice(0, 8);

export const inr = (amount: number) => ({ amount, currency: 'INR' as const });

export function aProduct(categoryIds: string[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const u = unique();
  return {
    sku: `TEST-${u}`.toUpperCase(),
    name: `Test Product ${u}`,
    brand: 'Testbrand',
    description: 'A product made for a test',
    packSize: 1,
    unit: 'kg',
    mrp: inr(10_000),
    price: inr(9_000),
    images: [`https://images.example/${u}.jpg`],
    tags: ['test'],
    attributes: { origin: 'Nowhere' },
    categoryIds,
    ...overrides,
  };
}

/** The events this service's outbox holds for one aggregate, oldest first. */
export async function outboxEvents(schema: TestSchema, subject: string): Promise<{ type: string; data: unknown }[]> {
  return (await allOutboxEvents(schema)).filter((event) => event.subject === subject).map(({ type, data }) => ({ type, data }));
}
