import type { DataSource, EntityManager } from 'typeorm';
import { currentContext } from '../logging';
import type { CatalogEvent } from './envelope';
import { HEADERS } from './kafka';

/** What a use case receives inside its transaction to record the events of its state change. */
export type Emit = (event: CatalogEvent) => void;

/**
 * The transactional outbox (DESIGN §4): a state change and its events commit in the same MySQL
 * transaction, and the relay is woken right after the commit so publishing latency stays low.
 */
export class Outbox {
  constructor(
    private readonly dataSource: DataSource,
    private readonly topic: string,
    private readonly onCommitted: () => void = () => {},
  ) {}

  async transaction<T>(work: (tx: EntityManager, emit: Emit) => Promise<T>): Promise<T> {
    const events: CatalogEvent[] = [];
    const result = await this.dataSource.transaction(async (tx) => {
      const value = await work(tx, (event) => events.push(event));
      if (events.length > 0) await this.insert(tx, events);
      return value;
    });
    if (events.length > 0) this.onCommitted();
    return result;
  }

  private async insert(tx: EntityManager, events: CatalogEvent[]): Promise<void> {
    const requestId = currentContext()?.requestId;
    const rows = events.map((e) => [
      e.id,
      this.topic,
      e.subject,
      e.type,
      JSON.stringify(e),
      JSON.stringify({ [HEADERS.requestId]: requestId ?? e.correlationid, [HEADERS.contentType]: 'application/cloudevents+json' }),
    ]);
    await tx.query(
      `INSERT INTO outbox (id, topic, message_key, event_type, payload, headers) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
      rows.flat(),
    );
  }
}
