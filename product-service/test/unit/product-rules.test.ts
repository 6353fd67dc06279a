import { AppError } from '@qc/shared/http';
import type { ProductFields } from '../../src/domain/catalog';
import { assertPriceWithinMrp, changedFields, isUuid, searchPlan, slugify } from '../../src/domain/product-rules';

const inr = (amount: number) => ({ amount, currency: 'INR' as const });

describe('product rules', () => {
  it('when a name is slugified, then it is lower-case words joined by dashes, apostrophes and accents dropped', () => {
    expect(slugify("Haldiram's Aloo Bhujia 200 g")).toBe('haldirams-aloo-bhujia-200-g');
    expect(slugify('Fruits & Vegetables')).toBe('fruits-and-vegetables');
    expect(slugify('  Crème  Brûlée!! ')).toBe('creme-brulee');
    expect(slugify('!!!')).toBe('');
  });

  it('when a value looks like a UUID, then it is one (slugs may not)', () => {
    expect(isUuid('019a3ea5-1e9d-71d7-9252-ab5bb4020b3a')).toBe(true);
    expect(isUuid('robusta-banana-1-kg')).toBe(false);
  });

  it('when the price is above the MRP, then it is a rule violation with the amounts; equal is fine', () => {
    expect(() => assertPriceWithinMrp(inr(100), inr(100))).not.toThrow();
    let error: unknown;
    try {
      assertPriceWithinMrp(inr(101), inr(100));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      kind: 'rule_violation',
      code: 'PRICE_ABOVE_MRP',
      details: [{ path: 'price.amount', price: 101, mrp: 100 }],
    });
  });

  describe('changed fields', () => {
    const product: ProductFields = {
      sku: 'FV-BAN-1KG',
      name: 'Robusta Banana 1 kg',
      slug: 'robusta-banana-1-kg',
      brand: 'Fresho',
      description: '',
      packSize: 1,
      unit: 'kg',
      mrp: inr(6000),
      price: inr(4900),
      images: ['https://a/1.jpg', 'https://a/2.jpg'],
      tags: ['fresh', 'fruit'],
      attributes: { origin: 'Karnataka', grade: 'A' },
      active: true,
      categoryIds: ['c1', 'c2'],
    };

    it('when nothing differs but the order of sets and maps, then nothing changed', () => {
      expect(
        changedFields(product, {
          ...product,
          tags: ['fruit', 'fresh'],
          categoryIds: ['c2', 'c1'],
          attributes: { grade: 'A', origin: 'Karnataka' },
          price: inr(4900),
        }),
      ).toEqual([]);
    });

    it('when values differ, then those fields are named in declaration order; image order matters', () => {
      expect(
        changedFields(product, {
          ...product,
          active: false,
          price: inr(4500),
          images: ['https://a/2.jpg', 'https://a/1.jpg'],
          attributes: { origin: 'Kerala', grade: 'A' },
        }),
      ).toEqual(['price', 'images', 'attributes', 'active']);
    });
  });

  describe('search plan', () => {
    it('when the query has words of three letters or more, then it is a full-text search on those words', () => {
      expect(searchPlan('Amul Butter 500 g')).toEqual({ mode: 'fulltext', terms: 'amul butter 500' });
      expect(searchPlan('dal')).toEqual({ mode: 'fulltext', terms: 'dal' });
    });

    it('when every word is too short or a stopword, then it falls back to a prefix match', () => {
      expect(searchPlan('am')).toEqual({ mode: 'prefix', prefix: 'am' });
      expect(searchPlan('the')).toEqual({ mode: 'prefix', prefix: 'the' });
      expect(searchPlan(' 5 g ')).toEqual({ mode: 'prefix', prefix: '5 g' });
    });
  });
});
