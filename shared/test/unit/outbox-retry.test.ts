import type { DataSource } from 'typeorm';
import { Outbox } from '@qc/shared/events';

/** A data source whose transactions fail with `errors`, one per attempt, then run the work. */
function failingTransactions(errors: unknown[]): { dataSource: DataSource; attempts: () => number } {
  let attempts = 0;
  const dataSource = {
    transaction: async (work: (tx: unknown) => Promise<unknown>) => {
      attempts++;
      const error = errors.shift();
      if (error) throw error;
      return work({ query: async () => [] });
    },
  } as unknown as DataSource;
  return { dataSource, attempts: () => attempts };
}

const deadlock = Object.assign(new Error('Deadlock found when trying to get lock'), { driverError: { code: 'ER_LOCK_DEADLOCK' } });

describe('Outbox.transaction', () => {
  it('when InnoDB picks the transaction as a deadlock victim, then it runs again, whole', async () => {
    const { dataSource, attempts } = failingTransactions([deadlock, deadlock]);
    let runs = 0;
    const result = await new Outbox(dataSource, 'test.events').transaction(async () => ++runs);
    expect(result).toBe(1);
    expect(attempts()).toBe(3);
  });

  it('when the deadlocks keep coming, then the fourth is the caller’s', async () => {
    const { dataSource, attempts } = failingTransactions([deadlock, deadlock, deadlock, deadlock]);
    await expect(new Outbox(dataSource, 'test.events').transaction(async () => 'never')).rejects.toBe(deadlock);
    expect(attempts()).toBe(4);
  });

  it('when the failure is anything else, then it is not retried', async () => {
    const duplicate = Object.assign(new Error('Duplicate entry'), { driverError: { code: 'ER_DUP_ENTRY' } });
    const { dataSource, attempts } = failingTransactions([duplicate]);
    await expect(new Outbox(dataSource, 'test.events').transaction(async () => 'never')).rejects.toBe(duplicate);
    expect(attempts()).toBe(1);
  });
});
