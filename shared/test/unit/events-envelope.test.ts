import { randomUUID } from 'node:crypto';
import { ContractViolation, catalog, isEventType, newEvent, ownerOf, parseEvent, type EventType } from '@qc/shared/events';
import { PRODUCERS } from '@qc/shared/fleet';
import { runWithContext } from '@qc/shared/logging';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function anOrderCancelled() {
  return { orderId: randomUUID(), userId: randomUUID(), reason: 'customer asked', paid: false };
}

function violationOf(fn: () => unknown): ContractViolation {
  try {
    fn();
  } catch (err) {
    if (err instanceof ContractViolation) return err;
    throw err;
  }
  throw new Error('expected a ContractViolation');
}

describe('newEvent', () => {
  it('when the data is valid, then it fills every CloudEvents attribute', () => {
    const subject = randomUUID();
    const data = anOrderCancelled();
    const before = Date.now();
    const event = newEvent('order-service', 'order.cancelled', data, { subject });
    expect(event).toMatchObject({
      specversion: '1.0',
      source: '/order-service',
      type: 'order.cancelled',
      subject,
      datacontenttype: 'application/json',
      dataversion: '1',
      data,
    });
    expect(event.id).toMatch(UUID_V7);
    expect(Date.parse(event.time)).toBeGreaterThanOrEqual(before - 1);
    expect(new Date(event.time).toISOString()).toBe(event.time);
    expect(event).not.toHaveProperty('causationid');
  });

  it('when two events are made one after the other, then their ids differ and sort by creation', () => {
    const first = newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: 's' });
    const second = newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: 's' });
    expect(second.id).not.toBe(first.id);
    expect([second.id, first.id].sort()).toEqual([first.id, second.id]);
  });

  it('when made inside a request context, then the correlation id is the request id', () => {
    const event = runWithContext({ requestId: 'req-corr-1' }, () =>
      newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: randomUUID() }),
    );
    expect(event.correlationid).toBe('req-corr-1');
  });

  it('when made outside any context, then it gets a correlation id of its own', () => {
    const a = newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: randomUUID() });
    const b = newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: randomUUID() });
    expect(a.correlationid).toEqual(expect.any(String));
    expect(a.correlationid).not.toBe(b.correlationid);
  });

  it('when caused by another event, then it carries that event as causation and inherits its correlation', () => {
    const cause = runWithContext({ requestId: 'req-saga-9' }, () =>
      newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: randomUUID() }),
    );
    const effect = runWithContext({ requestId: 'some-other-request' }, () =>
      newEvent(
        'inventory-service',
        'inventory.released',
        { orderId: randomUUID(), reservationId: randomUUID() },
        { subject: 'o', causedBy: cause },
      ),
    );
    expect(effect.causationid).toBe(cause.id);
    expect(effect.correlationid).toBe('req-saga-9');
  });

  it('when a correlation id is given explicitly, then it wins', () => {
    const event = runWithContext({ requestId: 'req-x' }, () =>
      newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: 's', correlationId: 'saga-42' }),
    );
    expect(event.correlationid).toBe('saga-42');
  });

  it('when the data breaks its contract, then it throws ContractViolation with every issue and its path', () => {
    const violation = violationOf(() =>
      newEvent('order-service', 'order.cancelled', { orderId: 'not-a-uuid', userId: randomUUID(), reason: 7 } as never, { subject: 's' }),
    );
    expect(violation.message).toContain('order.cancelled');
    expect(violation.issues.map((i) => i.path.join('.')).sort()).toEqual(['orderId', 'paid', 'reason']);
  });

  it('when money is a float, then the contract rejects it', () => {
    const violation = violationOf(() =>
      newEvent(
        'payment-service',
        'payment.completed',
        { paymentId: randomUUID(), orderId: randomUUID(), amount: { amount: 49.99, currency: 'INR' } },
        {
          subject: 's',
        },
      ),
    );
    expect(violation.issues.map((i) => i.path.join('.'))).toEqual(['amount.amount']);
  });
});

describe('parseEvent', () => {
  it('when given what newEvent made, then it returns the same event (from a Buffer or a string)', () => {
    const event = newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: randomUUID() });
    expect(parseEvent(Buffer.from(JSON.stringify(event)))).toEqual(event);
    expect(parseEvent(JSON.stringify(event))).toEqual(event);
  });

  it('when data has fields the contract does not know, then it is accepted (changes are additive)', () => {
    const event = newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: randomUUID() });
    const parsed = parseEvent(JSON.stringify({ ...event, data: { ...event.data, refundEta: 'tomorrow' } }));
    expect(parsed.id).toBe(event.id);
    expect(parsed.data).toMatchObject(event.data);
  });

  it.each([
    ['no value', null, /no value/],
    ['not JSON', '{"specversion": "1.0",', /not JSON/],
    ['not an object', '"just a string"', /not a CloudEvent/],
    ['not a CloudEvent', JSON.stringify({ hello: 'world' }), /not a CloudEvent/],
  ])('when the message has %s, then it throws ContractViolation', (_label, raw, message) => {
    expect(violationOf(() => parseEvent(raw)).message).toMatch(message);
  });

  it('when the envelope is another CloudEvents version, then it throws ContractViolation naming specversion', () => {
    const event = newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: randomUUID() });
    const violation = violationOf(() => parseEvent(JSON.stringify({ ...event, specversion: '0.3' })));
    expect(violation.issues.map((i) => i.path.join('.'))).toEqual(['specversion']);
  });

  it('when an envelope attribute is missing or malformed, then it throws ContractViolation naming it', () => {
    const event = newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: randomUUID() });
    const { subject: _subject, ...withoutSubject } = event;
    const violation = violationOf(() => parseEvent(JSON.stringify({ ...withoutSubject, id: 'not-a-uuid', source: 'order-service' })));
    expect(violation.issues.map((i) => i.path.join('.')).sort()).toEqual(['id', 'source', 'subject']);
  });

  it('when the type is not in the catalog, then it throws ContractViolation naming the type', () => {
    const event = newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: randomUUID() });
    expect(violationOf(() => parseEvent(JSON.stringify({ ...event, type: 'order.teleported' }))).message).toContain('order.teleported');
  });

  it('when the type is an inherited object property, then it is still unknown', () => {
    const event = newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: randomUUID() });
    expect(violationOf(() => parseEvent(JSON.stringify({ ...event, type: 'toString' }))).message).toContain('unknown event type');
    expect(isEventType('constructor')).toBe(false);
  });

  it('when the data breaks the contract of its type, then it throws ContractViolation with the data issues', () => {
    const event = newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: randomUUID() });
    const violation = violationOf(() => parseEvent(JSON.stringify({ ...event, data: { ...event.data, paid: 'yes' } })));
    expect(violation.message).toContain('order.cancelled data breaks its contract');
    expect(violation.issues.map((i) => i.path.join('.'))).toEqual(['paid']);
  });
});

describe('catalog ownership', () => {
  const types = Object.keys(catalog) as EventType[];

  it('when asked for the owner of every catalog type, then each has a producing service of the fleet', () => {
    const producers = PRODUCERS.map((s) => s.name);
    expect(types.length).toBeGreaterThan(0);
    for (const type of types) expect(producers).toContain(ownerOf(type));
  });

  it.each([
    ['order.created', 'order-service'],
    ['wallet.topup', 'payment-service'],
    ['user.address.added', 'user-service'],
    ['location.validated', 'location-service'],
  ] as const)('when asked who owns %s, then it is %s', (type, owner) => {
    expect(ownerOf(type)).toBe(owner);
  });

  it('when a type has no known prefix, then ownerOf throws', () => {
    expect(() => ownerOf('parcel.lost' as EventType)).toThrow(/no owning service/);
  });

  it('when DESIGN §4 types are looked up, then every one is in the catalog', () => {
    const design = [
      'user.registered',
      'user.login',
      'user.updated',
      'user.address.added',
      'user.otp_requested',
      'product.created',
      'product.updated',
      'product.deleted',
      'inventory.updated',
      'inventory.low_stock',
      'inventory.out_of_stock',
      'inventory.reserved',
      'inventory.reservation_failed',
      'inventory.released',
      'inventory.reservation_expired',
      'order.created',
      'order.updated',
      'order.confirmed',
      'order.cancelled',
      'order.completed',
      'cart.updated',
      'cart.cleared',
      'payment.initiated',
      'payment.completed',
      'payment.failed',
      'payment.refunded',
      'wallet.topup',
      'delivery.scheduled',
      'delivery.started',
      'delivery.completed',
      'delivery.failed',
      'notification.sent',
      'location.validated',
    ];
    for (const type of design) expect(isEventType(type)).toBe(true);
  });
});

describe('event ownership', () => {
  it('when a service builds an event type another service owns, then it is refused', () => {
    expect(violationOf(() => newEvent('cart-service', 'order.cancelled', anOrderCancelled(), { subject: randomUUID() })).message).toMatch(
      /cart-service may not publish order\.cancelled/,
    );
  });

  it('when a message claims a source that does not own its type, then reading it is a contract violation', () => {
    const event = newEvent('order-service', 'order.cancelled', anOrderCancelled(), { subject: randomUUID() });
    expect(violationOf(() => parseEvent(JSON.stringify({ ...event, source: '/cart-service' }))).message).toMatch(
      /must come from \/order-service/,
    );
  });
});
