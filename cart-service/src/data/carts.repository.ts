import { isoTime, newId, type Queryable, type Tx } from '@qc/shared/db';
import { inr, type Cart, type CartLine } from '../domain/cart';

type Row = Record<string, unknown>;

function toLine(row: Row): CartLine {
  return {
    productId: String(row.product_id),
    quantity: Number(row.quantity),
    name: String(row.name),
    price: inr(Number(row.price_amount)),
    mrp: inr(Number(row.mrp_amount)),
    addedAt: isoTime(row.created_at),
  };
}

async function readCart(db: Queryable, userId: string, lock: boolean): Promise<Cart | undefined> {
  const [cart]: Row[] = await db.query(
    `SELECT id, user_id, store_id, address_id, version, updated_at FROM carts WHERE user_id = ?${lock ? ' FOR UPDATE' : ''}`,
    [userId],
  );
  if (!cart) return undefined;
  const lines: Row[] = await db.query(
    'SELECT product_id, quantity, name, price_amount, mrp_amount, created_at FROM cart_lines WHERE cart_id = ? ORDER BY created_at, product_id',
    [cart.id],
  );
  return {
    id: String(cart.id),
    userId: String(cart.user_id),
    storeId: cart.store_id === null ? null : String(cart.store_id),
    addressId: cart.address_id === null ? null : String(cart.address_id),
    lines: lines.map(toLine),
    version: Number(cart.version),
    updatedAt: isoTime(cart.updated_at),
  };
}

/** The customer's cart as committed, if they ever had one. */
export function findCartOf(db: Queryable, userId: string): Promise<Cart | undefined> {
  return readCart(db, userId, false);
}

/**
 * Locks the customer's cart row (`FOR UPDATE`) and reads it, creating it first when `create` is
 * set. Every change goes through here, so changes to one cart run one at a time and none is lost.
 * `ON DUPLICATE KEY UPDATE` rather than `INSERT IGNORE`: on an existing row it takes the exclusive
 * lock at once, where IGNORE's shared lock would let two first changes deadlock upgrading it.
 */
export async function lockCartOf(tx: Tx, userId: string, create: boolean): Promise<Cart | undefined> {
  if (create) {
    await tx.query('INSERT INTO carts (id, user_id) VALUES (?, ?) ON DUPLICATE KEY UPDATE user_id = user_id', [newId(), userId]);
  }
  return readCart(tx, userId, true);
}

/** Creates the customer's empty cart unless they have one; for a first read. */
export async function createCartIfMissing(db: Queryable, userId: string): Promise<void> {
  await db.query('INSERT IGNORE INTO carts (id, user_id) VALUES (?, ?)', [newId(), userId]);
}

export async function saveLine(tx: Tx, cartId: string, line: Omit<CartLine, 'addedAt'>): Promise<void> {
  await tx.query(
    `INSERT INTO cart_lines (cart_id, product_id, quantity, name, price_amount, mrp_amount) VALUES (?, ?, ?, ?, ?, ?)
     ON DUPLICATE KEY UPDATE quantity = VALUES(quantity), name = VALUES(name), price_amount = VALUES(price_amount), mrp_amount = VALUES(mrp_amount)`,
    [cartId, line.productId, line.quantity, line.name, line.price.amount, line.mrp.amount],
  );
}

export async function deleteLine(tx: Tx, cartId: string, productId: string): Promise<void> {
  await tx.query('DELETE FROM cart_lines WHERE cart_id = ? AND product_id = ?', [cartId, productId]);
}

export async function deleteLines(tx: Tx, cartId: string): Promise<void> {
  await tx.query('DELETE FROM cart_lines WHERE cart_id = ?', [cartId]);
}

/** Records a change: the next version, and where the cart now delivers. */
export async function saveCartHeader(tx: Tx, cart: Pick<Cart, 'id' | 'storeId' | 'addressId'>): Promise<void> {
  await tx.query('UPDATE carts SET version = version + 1, store_id = ?, address_id = ? WHERE id = ?', [
    cart.storeId,
    cart.addressId,
    cart.id,
  ]);
}
