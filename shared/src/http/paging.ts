import { z } from 'zod';
import { AppError } from './errors';

/**
 * List paging (DESIGN §3): `?limit=` (default 20, max 100) and an opaque `?cursor=`. The cursor
 * wraps the position of the last row returned; clients never parse it.
 */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
};

export function encodeCursor(position: string): string {
  return Buffer.from(JSON.stringify({ p: position })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const { p } = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (typeof p === 'string') return p;
  } catch {
    // falls through to the error below
  }
  throw new AppError('invalid_input', 'INVALID_CURSOR', 'cursor is not one this API returned');
}

/** Fetch `limit + 1` rows; this trims the extra one and says where the next page starts. */
export function page<T>(
  rows: T[],
  limit: number,
  positionOf: (row: T) => string,
): { items: T[]; meta: { limit: number; nextCursor: string | null } } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, meta: { limit, nextCursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null } };
}
