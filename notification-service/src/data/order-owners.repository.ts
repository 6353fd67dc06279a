import type { Queryable } from '@qc/shared/db';

/** Remembers whose order it is: delivery events name the order only. */
export async function rememberOrderOwner(db: Queryable, orderId: string, userId: string): Promise<void> {
  await db.query('INSERT INTO order_owners (order_id, user_id) VALUES (?, ?) ON DUPLICATE KEY UPDATE order_id = order_id', [
    orderId,
    userId,
  ]);
}

export async function findOrderOwner(db: Queryable, orderId: string): Promise<string | undefined> {
  const [row] = await db.query('SELECT user_id FROM order_owners WHERE order_id = ?', [orderId]);
  return row ? String(row.user_id) : undefined;
}
