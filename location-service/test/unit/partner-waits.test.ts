import { PartnerWaits } from '../../src/domain/partner-waits';

describe('PartnerWaits', () => {
  const setup = (hash: Record<string, string> | Error) => {
    let now = 1_000_000;
    const failures: unknown[] = [];
    let reads = 0;
    const waits = new PartnerWaits({
      read: async () => {
        reads++;
        if (hash instanceof Error) throw hash;
        return hash;
      },
      refreshMs: 2_000,
      maxAgeMs: 60_000,
      onReadFailed: (err) => failures.push(err),
      now: () => now,
    });
    return { waits, failures, reads: () => reads, advance: (ms: number) => (now += ms), now: () => now };
  };

  it('when delivery-service published a fresh wait for a store, then it is that; other stores have none', async () => {
    const { waits } = setup({ 's-1': JSON.stringify({ minutes: 7, at: 1_000_000 }) });
    await waits.refresh();
    expect(waits.minutesAt('s-1')).toBe(7);
    expect(waits.minutesAt('s-2')).toBeUndefined();
  });

  it('when the published wait is older than the limit or unreadable, then it is not used', async () => {
    const { waits, advance } = setup({
      's-1': JSON.stringify({ minutes: 7, at: 1_000_000 }),
      's-2': 'not json',
      's-3': '{"minutes":-1,"at":1}',
    });
    await waits.refresh();
    expect([waits.minutesAt('s-2'), waits.minutesAt('s-3')]).toEqual([undefined, undefined]);
    advance(60_001);
    expect(waits.minutesAt('s-1')).toBeUndefined();
  });

  it('when asked often, then Redis is read at most once per refresh period, in the background', async () => {
    const { waits, reads, advance } = setup({});
    waits.minutesAt('s-1');
    waits.minutesAt('s-1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads()).toBe(1);
    advance(2_000);
    waits.minutesAt('s-1');
    expect(reads()).toBe(2);
  });

  it('when Redis fails, then the failure is reported and nothing is known', async () => {
    const { waits, failures } = setup(new Error('redis down'));
    await waits.refresh();
    expect(waits.minutesAt('s-1')).toBeUndefined();
    expect(failures).toHaveLength(1);
  });
});
