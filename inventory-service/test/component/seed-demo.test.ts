import { join } from 'node:path';
import { createDataSource, migrate, type DataSource } from '@qc/shared/db';
import { Outbox } from '@qc/shared/events';
import { eventsTopic } from '@qc/shared/fleet';
import { outboxEvents, createTestSchema, type TestSchema } from '@qc/shared/testing';
import { demoQuantity, readDemoData, seedDemo, type DemoData } from '../../src/cli/demo-seeder';
import { definition } from '../../src/service';

/** The demo seeder against a fresh schema, with a small fixture shaped like demo/city.json and demo/catalog.json. */
describe('demo seed', () => {
  let schema: TestSchema;
  let dataSource: DataSource;
  let outbox: Outbox;
  let data: DemoData;

  beforeAll(async () => {
    schema = await createTestSchema('inventory_seed');
    dataSource = createDataSource({ url: schema.url, poolSize: 2, migrations: definition.migrations ?? [] });
    await dataSource.initialize();
    await migrate(dataSource);
    outbox = new Outbox(dataSource, eventsTopic('inventory-service'));
    data = await readDemoData(join(__dirname, '../fixtures/demo'));
  }, 60_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.drop();
  });

  const count = async (table: string) => Number((await dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  it('when seeded, then every store exists with every product at its planned quantity, announced through the outbox', async () => {
    const summary = await seedDemo(outbox, data);
    const products = data.catalog.products.length;
    expect(summary).toMatchObject({
      storesCreated: 2,
      storesChanged: 0,
      storesTotal: 2,
      itemsCreated: 2 * products,
      itemsTotal: 2 * products,
    });
    expect(summary.outOfStock).toBeGreaterThan(0);
    expect(summary.low).toBeGreaterThan(0);

    const stock: { store_id: string; product_id: string; on_hand: number; reserved: number; alert_level: string }[] =
      await dataSource.query('SELECT store_id, product_id, on_hand, reserved, alert_level FROM stock');
    expect(stock).toHaveLength(2 * products);
    for (const row of stock) {
      expect(row.on_hand).toBe(demoQuantity(row.store_id, row.product_id));
      expect(row.reserved).toBe(0);
    }
    expect(stock.filter((r) => r.alert_level === 'OUT')).toHaveLength(summary.outOfStock);
    expect(stock.filter((r) => r.alert_level === 'LOW')).toHaveLength(summary.low);
    expect(await count('stock_movements')).toBe(2 * products - summary.outOfStock);

    const announced = await outboxEvents(schema, 'inventory.store_updated');
    expect(announced.map((e) => e.data)).toEqual(
      data.city.stores.map((s) => ({
        storeId: s.id,
        name: s.name,
        lat: s.lat,
        lng: s.lng,
        preparationMinutes: s.preparationMinutes,
        opensAt: s.opensAt,
        closesAt: s.closesAt,
        active: true,
      })),
    );
  });

  it('when seeded again, then nothing changes and nothing is duplicated', async () => {
    const before = {
      stores: await count('stores'),
      stock: await count('stock'),
      movements: await count('stock_movements'),
      outbox: await count('outbox'),
    };
    const summary = await seedDemo(outbox, data);
    expect(summary).toMatchObject({ storesCreated: 0, storesChanged: 0, itemsCreated: 0 });
    expect({
      stores: await count('stores'),
      stock: await count('stock'),
      movements: await count('stock_movements'),
      outbox: await count('outbox'),
    }).toEqual(before);
  });

  it('when a store’s entry changes in the file, then the next seed updates that store alone and announces it', async () => {
    const [first, second] = data.city.stores;
    const changed: DemoData = { ...data, city: { stores: [{ ...first!, preparationMinutes: 9 }, second!] } };
    const summary = await seedDemo(outbox, changed);
    expect(summary).toMatchObject({ storesCreated: 0, storesChanged: 1, itemsCreated: 0 });
    const announced = (await outboxEvents(schema, 'inventory.store_updated')).filter((e) => e.subject === first!.id);
    expect(announced.map((e) => e.data.preparationMinutes)).toEqual([first!.preparationMinutes, 9]);
  });

  it('when the repository’s demo files are read, then they have the shape the seeder expects', async () => {
    const demo = await readDemoData(join(__dirname, '../../../demo'));
    expect(demo.city.stores.length).toBeGreaterThan(1);
    expect(demo.catalog.products.length).toBeGreaterThan(100);
  });
});
