import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { RunningService } from '@qc/shared/service';
import { startServiceUnderTest, type TestSchema, type TestTokenIssuer } from '@qc/shared/testing';
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
  const { schema, service, issuer, stop } = await startServiceUnderTest(definition, { label, env });
  const adminId = randomUUID();
  return {
    schema,
    service,
    issuer,
    api: () => request(service.server),
    admin: issuer.bearer({ role: 'admin', userId: adminId, expiresInSeconds: 900 }),
    customer: issuer.bearer({ role: 'customer', expiresInSeconds: 900 }),
    adminId,
    stop,
  };
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
