/**
 * Reconciliation (issue 16): the rollups against the source services' own records, order by order.
 * - GMV: the delivered orders' totals in analytics against order-service's DELIVERED orders.
 * - Units: what analytics counts as gone from the shelf (lines of confirmed orders) against
 *   inventory's ledger (`sale` movements), and what came back (confirmed, then cancelled) against
 *   its `order_cancelled` movements.
 * Expected difference: 0 once every event in flight has arrived.
 * Orders analytics knows only from imported history (see import-events) have no record at the
 * sources: they are left out of every figure and counted apart.
 */
import type { DataSource } from '@qc/shared/db';
import type { LedgerMovement } from '../clients/sources.client';
import { committedUnits, deliveredTotals } from '../data/metrics.repository';
import { importedOnlyOrders } from '../data/raw-events.repository';

export interface Sources {
  deliveredOrderTotals(storeId?: string): Promise<Map<string, number>>;
  orderMovements(storeId?: string): Promise<LedgerMovement[]>;
}

export interface Figure {
  analytics: number;
  source: number;
  difference: number;
}

export interface OrderDifference {
  orderId: string;
  figure: 'gmv' | 'unitsSold' | 'unitsReturned';
  analytics: number;
  source: number;
}

export interface Reconciliation {
  storeId: string | null;
  gmv: Figure;
  unitsSold: Figure;
  unitsReturned: Figure;
  /** Orders known only from imported history (at the store asked for): not compared. */
  importedOrders: number;
  /** The orders behind any difference (at most 100 listed). */
  differences: OrderDifference[];
}

const MOVEMENT_FIGURE: Record<string, 'unitsSold' | 'unitsReturned'> = { sale: 'unitsSold', order_cancelled: 'unitsReturned' };

function compare(
  figure: OrderDifference['figure'],
  ours: Map<string, number>,
  theirs: Map<string, number>,
  differences: OrderDifference[],
  imported: Map<string, string | null>,
): Figure {
  let analytics = 0;
  let source = 0;
  for (const orderId of new Set([...ours.keys(), ...theirs.keys()])) {
    if (imported.has(orderId)) continue;
    const a = ours.get(orderId) ?? 0;
    const s = theirs.get(orderId) ?? 0;
    analytics += a;
    source += s;
    if (a !== s) differences.push({ orderId, figure, analytics: a, source: s });
  }
  return { analytics, source, difference: analytics - source };
}

export async function reconcile(dataSource: DataSource, sources: Sources, storeId?: string): Promise<Reconciliation> {
  const [ourTotals, ourUnits, imported, theirTotals, movements] = await Promise.all([
    deliveredTotals(dataSource, storeId),
    committedUnits(dataSource, storeId),
    importedOnlyOrders(dataSource),
    sources.deliveredOrderTotals(storeId),
    sources.orderMovements(storeId),
  ]);
  const theirs = { unitsSold: new Map<string, number>(), unitsReturned: new Map<string, number>() };
  for (const m of movements) {
    const figure = MOVEMENT_FIGURE[m.reason];
    if (!figure || !m.orderId) continue;
    // A sale takes units off the shelf (negative delta); a return puts them back.
    theirs[figure].set(m.orderId, (theirs[figure].get(m.orderId) ?? 0) + Math.abs(m.delta));
  }
  const ours = {
    unitsSold: new Map([...ourUnits].map(([orderId, u]) => [orderId, u.committed])),
    unitsReturned: new Map([...ourUnits].filter(([, u]) => u.returned > 0).map(([orderId, u]) => [orderId, u.returned])),
  };
  const differences: OrderDifference[] = [];
  const result = {
    storeId: storeId ?? null,
    gmv: compare('gmv', ourTotals, theirTotals, differences, imported),
    unitsSold: compare('unitsSold', ours.unitsSold, theirs.unitsSold, differences, imported),
    unitsReturned: compare('unitsReturned', ours.unitsReturned, theirs.unitsReturned, differences, imported),
  };
  const importedOrders = storeId ? [...imported.values()].filter((store) => store === storeId).length : imported.size;
  return { ...result, importedOrders, differences: differences.slice(0, 100) };
}

/** The report the command prints: one line per figure, then the orders that differ. */
export function describeReconciliation(r: Reconciliation): string {
  const line = (name: string, f: Figure) =>
    `${name.padEnd(16)} analytics ${String(f.analytics).padStart(12)}   source ${String(f.source).padStart(12)}   difference ${f.difference}`;
  return [
    `reconciliation${r.storeId ? ` of store ${r.storeId}` : ' of every store'}`,
    line('GMV (paise)', r.gmv),
    line('units sold', r.unitsSold),
    line('units returned', r.unitsReturned),
    `imported history: ${r.importedOrders} orders, not compared (no source record)`,
    ...(r.differences.length === 0
      ? ['no difference']
      : ['orders that differ:', ...r.differences.map((d) => `  ${d.orderId}  ${d.figure}: analytics ${d.analytics}, source ${d.source}`)]),
  ].join('\n');
}
