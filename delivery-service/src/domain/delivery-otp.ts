import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * The customer's 4-digit delivery code. Made at assignment; the partner needs it from the customer
 * to hand the order over. Kept two ways, both under the service key: an HMAC-SHA256 to check a
 * code against (a plain hash of four digits is reversed by trying all 10 000), and the code sealed
 * with AES-256-GCM so the order's customer, and nobody else, can be shown it again. Neither is any
 * use without the key, which is not in the database when DELIVERY_OTP_KEY is set.
 */
export class OtpVault {
  private readonly hashKey: Buffer;
  private readonly sealKey: Buffer;

  constructor(serviceKey: Buffer) {
    this.hashKey = Buffer.from(hkdfSync('sha256', serviceKey, Buffer.alloc(0), 'delivery-otp:hash', 32));
    this.sealKey = Buffer.from(hkdfSync('sha256', serviceKey, Buffer.alloc(0), 'delivery-otp:seal', 32));
  }

  /** A new code for a delivery: the code, its hash and its sealed form. */
  issue(deliveryId: string): { code: string; hash: string; sealed: string } {
    const code = String(randomInt(0, 10_000)).padStart(4, '0');
    return { code, hash: this.hashOf(deliveryId, code), sealed: this.seal(deliveryId, code) };
  }

  /** Whether `code` is the delivery's; constant time. */
  matches(deliveryId: string, code: string, hash: string): boolean {
    const expected = Buffer.from(hash, 'hex');
    const given = Buffer.from(this.hashOf(deliveryId, code), 'hex');
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  /** The code sealed by `issue`; the delivery id is bound in, so a sealed code moved to another row does not open. */
  unseal(deliveryId: string, sealed: string): string {
    const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, iv!);
    decipher.setAAD(Buffer.from(deliveryId));
    decipher.setAuthTag(tag!);
    return Buffer.concat([decipher.update(body!), decipher.final()]).toString('utf8');
  }

  private hashOf(deliveryId: string, code: string): string {
    return createHmac('sha256', this.hashKey).update(`${deliveryId}:${code}`).digest('hex');
  }

  private seal(deliveryId: string, code: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    cipher.setAAD(Buffer.from(deliveryId));
    const body = Buffer.concat([cipher.update(code, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url')).join('.');
  }
}
