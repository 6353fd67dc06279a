import { configProblems } from '@qc/shared/testing';
import { loadConfig } from '@qc/shared/config';
import { DeliverySettings } from '../../src/config';
import { OtpVault } from '../../src/domain/delivery-otp';
import { canTransition, transition } from '../../src/domain/delivery-state';
import { etaMinutes } from '../../src/domain/eta';
import { partnerWaitMinutes } from '../../src/domain/partner-wait';

const model = { roadFactor: 1.4, riderSpeedKmh: 20 };
const store = { lat: 12.9352, lng: 77.6245 };
/** About 2 km north of the store: 2 × 1.4 / 20 × 60 ≈ 8.4 minutes of riding. */
const dropoff = { lat: 12.9532, lng: 77.6245 };

describe('ETA', () => {
  it('when the rider is at the store, then the packing or the ride to the store, whichever is longer, then the ride out', () => {
    expect(etaMinutes({ rider: store, store, dropoff, pickedUp: false, preparationMinutes: 4 }, model)).toBe(13);
    expect(etaMinutes({ rider: dropoff, store, dropoff, pickedUp: false, preparationMinutes: 4 }, model)).toBe(17);
  });

  it('when the rider has the order, then only the ride from where they are', () => {
    expect(etaMinutes({ rider: store, store, dropoff, pickedUp: true, preparationMinutes: 4 }, model)).toBe(9);
    expect(etaMinutes({ rider: dropoff, store, dropoff, pickedUp: true, preparationMinutes: 4 }, model)).toBe(0);
  });

  it('when positions are unknown, then those legs count as nothing', () => {
    expect(etaMinutes({ rider: null, store: null, dropoff: null, pickedUp: false, preparationMinutes: 5 }, model)).toBe(5);
  });
});

describe('partner wait', () => {
  const turnaround = 20;
  it('when a partner is free for a new order, then no wait', () => {
    expect(partnerWaitMinutes({ free: 2, busy: 3, queued: 1, turnaroundMinutes: turnaround }, 30)).toBe(0);
  });
  it('when every partner is busy, then the place in the queue served as partners come back', () => {
    expect(partnerWaitMinutes({ free: 0, busy: 10, queued: 0, turnaroundMinutes: turnaround }, 30)).toBe(2);
    expect(partnerWaitMinutes({ free: 0, busy: 10, queued: 39, turnaroundMinutes: turnaround }, 30)).toBe(80);
  });
  it('when nobody is online, then the configured wait', () => {
    expect(partnerWaitMinutes({ free: 0, busy: 0, queued: 3, turnaroundMinutes: turnaround }, 30)).toBe(30);
  });
});

describe('delivery state', () => {
  it('when an action fits the status, then the next status; otherwise a 409', () => {
    expect(transition('QUEUED', 'offer')).toBe('ASSIGNED');
    expect(transition('ASSIGNED', 'requeue')).toBe('QUEUED');
    expect(transition('PICKED_UP', 'deliver')).toBe('DELIVERED');
    expect(() => transition('ASSIGNED', 'deliver')).toThrow(expect.objectContaining({ kind: 'conflict', code: 'DELIVERY_STATE_CONFLICT' }));
    expect(() => transition('DELIVERED', 'fail')).toThrow(expect.objectContaining({ kind: 'conflict' }));
    expect(canTransition('PICKED_UP', 'cancel')).toBe(false);
    expect(canTransition('ACCEPTED', 'cancel')).toBe(true);
  });

  it('when the order ends, then a delivery not yet picked up is cancelled, one picked up returned, and any not ended closed as delivered', () => {
    expect(transition('PICKED_UP', 'return')).toBe('RETURNED');
    expect(canTransition('ACCEPTED', 'return')).toBe(false);
    for (const status of ['QUEUED', 'ASSIGNED', 'ACCEPTED', 'PICKED_UP', 'FAILED'] as const)
      expect(transition(status, 'close')).toBe('DELIVERED');
    for (const status of ['DELIVERED', 'CANCELLED', 'RETURNED'] as const) {
      expect(canTransition(status, 'close')).toBe(false);
      expect(canTransition(status, 'cancel')).toBe(false);
      expect(canTransition(status, 'return')).toBe(false);
    }
  });
});

describe('delivery code', () => {
  const vault = new OtpVault(Buffer.alloc(32, 7));
  it('when issued, then four digits, checked by its keyed hash and shown again only from its sealed form', () => {
    const issued = vault.issue('d-1');
    expect(issued.code).toMatch(/^\d{4}$/);
    expect(vault.matches('d-1', issued.code, issued.hash)).toBe(true);
    expect(vault.matches('d-1', issued.code === '0000' ? '0001' : '0000', issued.hash)).toBe(false);
    expect(vault.unseal('d-1', issued.sealed)).toBe(issued.code);
    expect(issued.sealed).not.toContain(issued.code);
  });
  it('when a hash or a sealed code is moved to another delivery, or the key differs, then it does not work', () => {
    const issued = vault.issue('d-1');
    expect(vault.matches('d-2', issued.code, issued.hash)).toBe(false);
    expect(() => vault.unseal('d-2', issued.sealed)).toThrow();
    expect(() => new OtpVault(Buffer.alloc(32, 8)).unseal('d-1', issued.sealed)).toThrow();
  });
});

describe('settings', () => {
  it('when DELIVERY_OTP_KEY is not 32 bytes, then the start stops; empty means none (the key is generated)', () => {
    expect(configProblems(() => loadConfig(DeliverySettings, { DELIVERY_OTP_KEY: 'abcd' }))).toEqual([
      expect.stringContaining('DELIVERY_OTP_KEY'),
    ]);
    expect(loadConfig(DeliverySettings, { DELIVERY_OTP_KEY: '' }).DELIVERY_OTP_KEY).toBeUndefined();
  });
  it('when a 64-hex-digit key is given, then it is 32 bytes', () => {
    const settings = loadConfig(DeliverySettings, { DELIVERY_OTP_KEY: 'ab'.repeat(32) });
    expect(settings.DELIVERY_OTP_KEY).toEqual(Buffer.alloc(32, 0xab));
  });
});
