import { resolve } from 'node:path';
import { loadConfig } from '@qc/shared/config';
import { runCommand } from '@qc/shared/service';
import { InventoryConfig } from '../config';
import { definition } from '../service';
import { readDemoData, seedDemo } from './demo-seeder';

/**
 * `node inventory-service/dist/cli/seed-demo.js [demo-dir]`: runs the migrations, then seeds the
 * demo stores and stock (demo/ at the repository root by default). Run after product-service's
 * seeder and before location-service's; the service publishes the events it wrote when it runs.
 */
runCommand(definition, async ({ outbox, env }) => {
  // The settings check the service runs at start: a bad environment stops here too, before any write.
  loadConfig(InventoryConfig, env);
  const directory = resolve(process.argv[2] ?? resolve(__dirname, '../../../demo'));
  const s = await seedDemo(outbox, await readDemoData(directory));
  return (
    `inventory-service demo seed: ${s.storesTotal} stores (${s.storesCreated} new, ${s.storesChanged} changed), ` +
    `${s.itemsTotal} stock items (${s.itemsCreated} new; by plan ${s.outOfStock} out of stock, ${s.low} low)`
  );
});
