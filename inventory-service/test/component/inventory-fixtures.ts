import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { CatalogEvent, EventType } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { runService, type RunningService } from '@qc/shared/service';
import {
  TestTokenIssuer,
  createTestSchema,
  rootQuery,
  skipHistory,
  testConsumerGroup,
  testServiceEnv,
  type TestSchema,
} from '@qc/shared/testing';
import { definition } from '../../src/service';

/** inventory-service on its own schema, with a token issuer standing in for user-service. */
export interface InventoryUnderTest {
  schema: TestSchema;
  service: RunningService;
  issuer: TestTokenIssuer;
  api: () => ReturnType<typeof request>;
  admin: string;
  customer: string;
  adminId: string;
  stop(): Promise<void>;
}

export async function startInventory(label: string, env: Record<string, string> = {}): Promise<InventoryUnderTest> {
  const schema = await createTestSchema(label);
  const issuer = await TestTokenIssuer.start();
  // Its own consumer group, positioned at the end of order.events: it reads only what the test publishes.
  await skipHistory(testConsumerGroup(schema), [eventsTopic('order-service')]);
  const service = await runService(definition, testServiceEnv(schema, { JWKS_URL: issuer.jwksUrl, ...env }));
  const adminId = randomUUID();
  return {
    schema,
    service,
    issuer,
    api: () => request(service.server),
    admin: issuer.bearer({ role: 'admin', userId: adminId, expiresInSeconds: 900 }),
    customer: issuer.bearer({ role: 'customer', expiresInSeconds: 900 }),
    adminId,
    async stop() {
      await service.stop();
      await issuer.close();
      await schema.drop();
    },
  };
}

/** Events the service wrote to its outbox, oldest first, optionally of one type. */
export async function outboxEvents<T extends EventType>(schema: TestSchema, type?: T): Promise<CatalogEvent<T>[]> {
  const rows = (await rootQuery(
    `SELECT payload FROM \`${schema.name}\`.outbox ${type ? 'WHERE event_type = ?' : ''} ORDER BY id`,
    type ? [type] : [],
  )) as { payload: string }[];
  return rows.map((r) => JSON.parse(r.payload) as CatalogEvent<T>);
}

let stores = 0;

/** A valid store body; each call names a different store. */
export function aStore(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  stores++;
  return {
    name: `QC Test Store ${stores}`,
    address: `${stores} Test Road, Koramangala, Bengaluru`,
    pincode: '560034',
    lat: 12.9352,
    lng: 77.6245,
    opensAt: '06:00',
    closesAt: '02:00',
    preparationMinutes: 4,
    ...overrides,
  };
}

export async function createStore(inventory: InventoryUnderTest, overrides: Record<string, unknown> = {}): Promise<{ id: string }> {
  const res = await inventory.api().post('/api/v1/stores').set('authorization', inventory.admin).send(aStore(overrides));
  if (res.status !== 201) throw new Error(`store not created: ${res.status} ${res.text}`);
  return res.body.data;
}

export async function restockVia(inventory: InventoryUnderTest, storeId: string, productId: string, quantity: number): Promise<void> {
  const res = await inventory
    .api()
    .post(`/api/v1/inventory/stores/${storeId}/stock/${productId}/restock`)
    .set('authorization', inventory.admin)
    .send({ quantity });
  if (res.status !== 200) throw new Error(`restock failed: ${res.status} ${res.text}`);
}
