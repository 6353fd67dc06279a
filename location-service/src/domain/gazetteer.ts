import { haversineKm, type LatLng } from './geometry';

/** A named place of the city, as the shipped gazetteer lists it. */
export interface Locality extends LatLng {
  name: string;
  /** Other names people type for it (older spellings, landmarks). */
  aliases?: string[];
  pincode: string;
}

/** Lower case, accents and punctuation dropped, spaces collapsed: "Kōramangala, 4th" → "koramangala 4th". */
export function normalizeForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

interface IndexedLocality {
  locality: Locality;
  /** Name first, then aliases; each normalised, and again without spaces ("jpnagar" finds "JP Nagar"). */
  forms: { spaced: string; compact: string }[];
}

/** How well a query matches a name; lower is better. */
const Rank = { Exact: 0, Prefix: 1, WordPrefix: 2, Substring: 3, None: 4 } as const;

function rankForm(form: { spaced: string; compact: string }, query: string, compactQuery: string): number {
  if (form.spaced === query || form.compact === compactQuery) return Rank.Exact;
  if (form.spaced.startsWith(query) || form.compact.startsWith(compactQuery)) return Rank.Prefix;
  if (` ${form.spaced}`.includes(` ${query}`)) return Rank.WordPrefix;
  if (form.compact.includes(compactQuery)) return Rank.Substring;
  return Rank.None;
}

/**
 * Offline geocoding over the city's localities: forward search by name or pincode, and the nearest
 * locality to a point. Small enough (tens of entries) to scan on every query.
 */
export class Gazetteer {
  private readonly entries: IndexedLocality[];

  constructor(
    readonly city: string,
    localities: Locality[],
  ) {
    this.entries = localities.map((locality) => ({
      locality,
      forms: [locality.name, ...(locality.aliases ?? [])].map((name) => {
        const spaced = normalizeForSearch(name);
        return { spaced, compact: spaced.replaceAll(' ', '') };
      }),
    }));
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Localities matching a query, best first: exact name, then names starting with it, then a word
   * starting with it, then containing it anywhere; a name beats an alias, a shorter name a longer one.
   * A query of digits matches pincodes by prefix.
   */
  search(text: string, limit: number): Locality[] {
    const query = normalizeForSearch(text);
    if (query === '') return [];
    const compactQuery = query.replaceAll(' ', '');
    const pincodeQuery = /^\d+$/.test(compactQuery) ? compactQuery : undefined;
    const ranked: { locality: Locality; rank: number; alias: boolean }[] = [];
    for (const { locality, forms } of this.entries) {
      let best: { rank: number; alias: boolean } = { rank: Rank.None, alias: false };
      if (pincodeQuery && locality.pincode.startsWith(pincodeQuery)) {
        best = { rank: locality.pincode === pincodeQuery ? Rank.Exact : Rank.Prefix, alias: false };
      }
      forms.forEach((form, i) => {
        const rank = rankForm(form, query, compactQuery);
        if (rank < best.rank) best = { rank, alias: i > 0 };
      });
      if (best.rank !== Rank.None) ranked.push({ locality, ...best });
    }
    ranked.sort(
      (a, b) =>
        a.rank - b.rank ||
        Number(a.alias) - Number(b.alias) ||
        a.locality.name.length - b.locality.name.length ||
        a.locality.name.localeCompare(b.locality.name),
    );
    return ranked.slice(0, limit).map((r) => r.locality);
  }

  nearest(point: LatLng): { locality: Locality; distanceKm: number } | undefined {
    let best: { locality: Locality; distanceKm: number } | undefined;
    for (const { locality } of this.entries) {
      const distanceKm = haversineKm(locality, point);
      if (!best || distanceKm < best.distanceKm) best = { locality, distanceKm };
    }
    return best;
  }

  withPincode(pincode: string): Locality[] {
    return this.entries.filter((e) => e.locality.pincode === pincode).map((e) => e.locality);
  }
}
