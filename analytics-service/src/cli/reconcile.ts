/**
 * `npm run analytics:reconcile -- [--store <storeId>]`: compares the rollups with order-service's
 * delivered orders and inventory-service's ledger (see reconcile) and prints any difference; exits
 * 1 when there is one. Orders known only from imported history are counted, not compared. The source APIs are admin-only: ACCESS_TOKEN is an admin's access token
 * (POST /api/v1/auth/login). In a container: `node dist/cli/reconcile.js` with the service's environment.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '@qc/shared/config';
import { runCommand } from '@qc/shared/service';
import { z } from 'zod';
import { SourcesClient } from '../clients/sources.client';
import { analyticsSettings } from '../config';
import { describeReconciliation, reconcile } from '../domain/reconcile';
import { definition } from '../service';

const { values } = parseArgs({ options: { store: { type: 'string' } } });
const storeId = values.store === undefined ? undefined : z.uuid().parse(values.store);

runCommand(definition, async ({ dataSource, env }) => {
  const settings = loadConfig(analyticsSettings.extend({ ACCESS_TOKEN: z.string().min(20) }), env);
  const sources = new SourcesClient(settings, settings.ACCESS_TOKEN);
  try {
    const result = await reconcile(dataSource, sources, storeId);
    if (result.differences.length > 0) process.exitCode = 1;
    return describeReconciliation(result);
  } finally {
    sources.shutdown();
  }
});
