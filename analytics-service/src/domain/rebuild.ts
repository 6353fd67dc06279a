import type { DataSource } from '@qc/shared/db';
import { isEventType, type CatalogEvent } from '@qc/shared/events';
import { clearProjections, rawEventsAfter } from '../data/projections.repository';
import { projectEvent } from './projector';

const PAGE = 1_000;

/**
 * Rebuilds every projection from the raw store (`npm run analytics:rebuild`), in one transaction:
 * readers see the old rollups until the new ones are complete. Safe while the service consumes:
 * every projection write is idempotent, so an event both replayed here and projected live counts once.
 * Returns how many raw events were replayed.
 */
export async function rebuildProjections(dataSource: DataSource): Promise<number> {
  return dataSource.transaction(async (tx) => {
    await clearProjections(tx);
    let replayed = 0;
    for (let after = ''; ;) {
      const rows = await rawEventsAfter(tx, after, PAGE);
      for (const row of rows) {
        if (!isEventType(row.type)) continue;
        const event = {
          specversion: '1.0',
          id: row.eventId,
          source: row.source,
          type: row.type,
          subject: row.subject,
          time: row.time.toISOString(),
          datacontenttype: 'application/json',
          dataversion: '1',
          correlationid: row.correlationId,
          data: JSON.parse(row.data),
        } as CatalogEvent;
        await projectEvent(tx, event);
        replayed++;
      }
      if (rows.length < PAGE) return replayed;
      after = rows[rows.length - 1]!.eventId;
    }
  });
}
