import type { DataSource, EntityManager } from 'typeorm';
import { isTransientLockFailure } from '../db/errors';
import { currentContext } from '../logging';
import type { CatalogEvent } from './envelope';
import { HEADERS } from './kafka';

/** What a use case receives inside its transaction to record the events of its state change. */
export type Emit = (event: CatalogEvent) => void;

/** Attempts of one outbox transaction when InnoDB keeps choosing it as a deadlock victim. */
const ATTEMPTS = 4;

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

  /**
   * Runs `work` in a transaction and writes the events it emits in the same one. A transaction
   * InnoDB rolls back to break a deadlock or a lock wait is run again, whole and after a short
   * random pause: the rollback undid everything, events included, so `work` must only touch the
   * database through `tx` (every use case does). A fourth failure in a row is the caller's.
   */
  async transaction<T>(work: (tx: EntityManager, emit: Emit) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(work);
      } catch (err) {
        if (attempt >= ATTEMPTS || !isTransientLockFailure(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, attempt * 20 + Math.random() * 30));
      }
    }
  }

  private async attempt<T>(work: (tx: EntityManager, emit: Emit) => Promise<T>): Promise<T> {
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
