import { AppError } from '@qc/shared/http';

export const SORTS = ['relevance', 'price_asc', 'price_desc', 'newest', 'popularity'] as const;
export type Sort = (typeof SORTS)[number];

export type SortKey = 'relevance' | 'price' | 'popularity' | 'createdAt' | 'id';
export interface OrderKey {
  key: SortKey;
  dir: 'asc' | 'desc';
}

/**
 * Every order ends in the id, so rows never tie and keyset paging is stable: a page starts strictly
 * after the last row of the previous one, whatever was inserted or changed in between.
 */
export const ORDERS: Record<Sort, OrderKey[]> = {
  relevance: [
    { key: 'relevance', dir: 'desc' },
    { key: 'popularity', dir: 'desc' },
    { key: 'id', dir: 'asc' },
  ],
  price_asc: [
    { key: 'price', dir: 'asc' },
    { key: 'id', dir: 'asc' },
  ],
  price_desc: [
    { key: 'price', dir: 'desc' },
    { key: 'id', dir: 'asc' },
  ],
  newest: [
    { key: 'createdAt', dir: 'desc' },
    { key: 'id', dir: 'desc' },
  ],
  popularity: [
    { key: 'popularity', dir: 'desc' },
    { key: 'id', dir: 'asc' },
  ],
};

/** What a listed row carries for the cursor; `relevance` only when searching. */
export interface SortValues {
  id: string;
  price: number;
  popularity: number;
  createdAt: string;
  relevance?: number;
}

export type KeyValue = string | number;

function valueOf(row: SortValues, key: SortKey): KeyValue {
  if (key === 'price') return row.price;
  if (key === 'relevance') return row.relevance ?? 0;
  return row[key];
}

/** The cursor's content: the sort it belongs to and the last row's value of every sort key. */
export function positionAfter(sort: Sort, row: SortValues): string {
  return JSON.stringify({ s: sort, k: ORDERS[sort].map((o) => valueOf(row, o.key)) });
}

const invalidCursor = () => new AppError('invalid_input', 'INVALID_CURSOR', 'cursor is not one this API returned for this sort');

/** The key values a page continues after; a cursor from another sort or a forged one is a 400. */
export function keysAfter(sort: Sort, position: string | undefined): KeyValue[] | undefined {
  if (position === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(position);
  } catch {
    throw invalidCursor();
  }
  const { s, k } = (parsed ?? {}) as { s?: unknown; k?: unknown };
  const order = ORDERS[sort];
  if (s !== sort || !Array.isArray(k) || k.length !== order.length) throw invalidCursor();
  order.forEach((o, i) => {
    const expected = o.key === 'id' || o.key === 'createdAt' ? 'string' : 'number';
    if (typeof k[i] !== expected || (expected === 'number' && !Number.isFinite(k[i]))) throw invalidCursor();
    if (o.key === 'createdAt' && Number.isNaN(Date.parse(k[i] as string))) throw invalidCursor();
  });
  return k as KeyValue[];
}
