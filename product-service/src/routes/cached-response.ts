import type { Response } from 'express';
import { cachedBody, type CachedBody, type ResponseCache } from '../data/response-cache';

/** The body for `key` from the cache, or computed, sent and stored for the next reader. */
export async function cachedRead(cache: ResponseCache, key: string, compute: () => Promise<unknown>): Promise<CachedBody> {
  const read = await cache.read(key);
  if (read.hit) return read.hit;
  const entry = cachedBody(await compute());
  read.fill(entry);
  return entry;
}

export type Audience = { public: true; maxAgeSeconds: number } | { public: false };

/**
 * Sends a JSON body with its ETag. Express answers 304 itself when `If-None-Match` holds that ETag.
 * Shared reads may be cached by browsers and CDNs for a short while; reads with live stock (or an
 * admin's view) are `private, no-cache`: always revalidated, still cheap thanks to the ETag.
 */
export function sendCached(res: Response, entry: CachedBody, audience: Audience): void {
  res.setHeader('ETag', entry.etag);
  res.setHeader('Cache-Control', audience.public ? `public, max-age=${audience.maxAgeSeconds}` : 'private, no-cache');
  res.type('application/json').send(entry.body);
}
