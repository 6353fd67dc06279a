import { AppError } from '@qc/shared/http';
import { ORDERS, SORTS, keysAfter, positionAfter } from '../../src/domain/listing-order';

const row = {
  id: '019a3ea5-1e9d-71d7-9252-ab5bb4020b3a',
  price: 4900,
  popularity: 310,
  createdAt: '2025-11-21T06:00:00.000Z',
  relevance: 378085911,
};

describe('listing order and cursors', () => {
  it('when any sort is used, then its keys end with the id so no two rows tie', () => {
    for (const sort of SORTS) expect(ORDERS[sort].at(-1)?.key).toBe('id');
  });

  it('when a position is written and read back for the same sort, then the keys come back exactly', () => {
    expect(keysAfter('price_asc', positionAfter('price_asc', row))).toEqual([4900, row.id]);
    expect(keysAfter('newest', positionAfter('newest', row))).toEqual([row.createdAt, row.id]);
    expect(keysAfter('relevance', positionAfter('relevance', row))).toEqual([378085911, 310, row.id]);
    expect(keysAfter('popularity', undefined)).toBeUndefined();
  });

  it('when a cursor comes from another sort or is forged, then it is an invalid-input error', () => {
    const attempts = [
      () => keysAfter('price_desc', positionAfter('price_asc', row)),
      () => keysAfter('price_asc', 'not json'),
      () => keysAfter('price_asc', JSON.stringify({ s: 'price_asc', k: ['4900', row.id] })),
      () => keysAfter('newest', JSON.stringify({ s: 'newest', k: ['yesterday', row.id] })),
      () => keysAfter('popularity', JSON.stringify({ s: 'popularity', k: [1] })),
      () => keysAfter('popularity', 'null'),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(AppError);
      try {
        attempt();
      } catch (err) {
        expect(err).toMatchObject({ kind: 'invalid_input', code: 'INVALID_CURSOR' });
      }
    }
  });
});
