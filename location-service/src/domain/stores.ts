import { type Queryable } from '@qc/shared/db';
import { AppError } from '@qc/shared/http';
import { insertStore, lockStoreVersion, updateStore, type StoreRow } from '../data/stores.repository';
import { isValidTimeOfDay } from '@qc/shared/time';

/**
 * Keeps inventory's view of a store in the read model. `asOf` is the time of the event that says
 * so: an older event (a replayed dead letter) does not undo a newer one. `null` (demo seeding)
 * only fills in a store no event has described yet.
 */
export async function recordStore(tx: Queryable, store: StoreRow, asOf: Date | null): Promise<'added' | 'updated' | 'outdated'> {
  for (const [field, value] of [
    ['opensAt', store.opensAt],
    ['closesAt', store.closesAt],
  ] as const) {
    if (!isValidTimeOfDay(value)) {
      throw new AppError('invalid_input', 'INVALID_OPENING_HOURS', `${field} ${value} is not a time of day (HH:MM, 00:00–24:00)`);
    }
  }
  const known = await lockStoreVersion(tx, store.id);
  if (!known) {
    await insertStore(tx, store, asOf);
    return 'added';
  }
  const newer = asOf !== null && (known.asOf === null || asOf >= known.asOf);
  const firstFill = asOf === null && known.asOf === null;
  if (!newer && !firstFill) return 'outdated';
  await updateStore(tx, store, asOf);
  return 'updated';
}
