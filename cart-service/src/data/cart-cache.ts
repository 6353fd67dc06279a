import type { Logger } from '@qc/shared/logging';
import type { Redis } from '@qc/shared/redis';
import type { Cart } from '../domain/cart';

/**
 * Writes a cart unless Redis already holds a newer version of it. Two writers can finish in either
 * order (a read that missed the cache and loaded version 4 may land after a change stored version
 * 5); the version decides, so an older cart never replaces a newer one.
 */
const PUT_IF_NOT_OLDER = `
local cached = redis.call('GET', KEYS[1])
if cached then
  local ok, decoded = pcall(cjson.decode, cached)
  if ok and type(decoded) == 'table' and tonumber(decoded.version) and tonumber(decoded.version) > tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

/**
 * The hot copy of each cart, in Redis under `cart:<userId>` (MySQL is the source of truth). Redis
 * failing never fails a request: a read falls back to MySQL and a write is logged; a cart written
 * while Redis was away is at worst stale in the cache until its TTL, and only if Redis dropped that
 * one write yet kept the older copy.
 */
export class CartCache {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
  ) {}

  static key(userId: string): string {
    return `cart:${userId}`;
  }

  async get(userId: string): Promise<Cart | undefined> {
    try {
      const cached = await this.redis.get(CartCache.key(userId));
      return cached ? (JSON.parse(cached) as Cart) : undefined;
    } catch (err) {
      this.logger.warn({ err, userId }, 'cart cache read failed; reading MySQL');
      return undefined;
    }
  }

  async put(cart: Cart): Promise<void> {
    try {
      await this.redis.eval(PUT_IF_NOT_OLDER, 1, CartCache.key(cart.userId), JSON.stringify(cart), cart.version, this.ttlSeconds);
    } catch (err) {
      this.logger.warn({ err, userId: cart.userId }, 'cart cache write failed');
    }
  }
}
