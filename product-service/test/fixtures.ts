import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  outboxEvents as allOutboxEvents,
  startServiceUnderTest,
  type ServiceUnderTest,
  type ServiceUnderTestOptions,
  type TestSchema,
} from '@qc/shared/testing';
import type { ProductSettings } from '../src/config';
import { definition } from '../src/service';

/** One product-service on its own schema, with a token issuer standing in for user-service. */
export interface ProductServiceUnderTest extends ServiceUnderTest<ProductSettings> {
  api: () => ReturnType<typeof request>;
  /** `authorization` header values of a signed-in admin and customer. */
  admin: () => string;
  customer: () => string;
}

/**
 * Starts product-service for a component test file; `label` names its throwaway schema, and
 * `beforeStart` may prepare that schema before the service migrates it.
 */
export async function startProductService(
  label: string,
  env: Record<string, string> = {},
  beforeStart?: ServiceUnderTestOptions['beforeStart'],
): Promise<ProductServiceUnderTest> {
  const underTest = await startServiceUnderTest(definition, { label, env, beforeStart });
  return {
    ...underTest,
    api: () => request(underTest.service.server),
    admin: () => underTest.issuer.bearer({ role: 'admin' }),
    customer: () => underTest.issuer.bearer({ role: 'customer' }),
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
