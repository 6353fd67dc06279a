import { AppError } from '@qc/shared/http';
import { ServiceArea } from '../../src/domain/service-area';
import { ServiceAreaCache } from '../../src/domain/service-area-cache';
import { DEFAULT_ETA_MODEL } from '../../src/domain/eta';

const snapshot = () => new ServiceArea([], [], { eta: DEFAULT_ETA_MODEL, timeZone: 'Asia/Kolkata' });

/** A loader whose every call the test can hold and release, with a clock the test moves. */
function harness(refreshMs = 1_000) {
  let clock = 0;
  const calls: { resolve: (area: ServiceArea) => void; reject: (err: Error) => void; area: ServiceArea }[] = [];
  const failures: unknown[] = [];
  const cache = new ServiceAreaCache({
    refreshMs,
    now: () => clock,
    onReloadFailed: (err) => failures.push(err),
    load: () =>
      new Promise<ServiceArea>((resolve, reject) => {
        const area = snapshot();
        calls.push({ resolve: () => resolve(area), reject, area });
      }),
  });
  const settle = () => new Promise((r) => setImmediate(r));
  return {
    cache,
    calls,
    failures,
    settle,
    advance: (ms: number) => void (clock += ms),
    /** Resolves the latest pending load once it has been asked for. */
    async release(index?: number) {
      await settle();
      const call = calls[index ?? calls.length - 1]!;
      call.resolve(call.area);
      await settle();
    },
  };
}

describe('ServiceAreaCache', () => {
  it('when asked twice within the refresh period, then it loads once', async () => {
    const h = harness();
    const first = h.cache.current();
    await h.release();
    const area = await first;
    h.advance(999);
    expect(await h.cache.current()).toBe(area);
    expect(h.calls).toHaveLength(1);
  });

  it('when many ask at once before the first load, then they share one load', async () => {
    const h = harness();
    const answers = Promise.all([h.cache.current(), h.cache.current(), h.cache.current()]);
    await h.release();
    const [a, b, c] = await answers;
    expect(h.calls).toHaveLength(1);
    expect(a).toBe(b);
    expect(b).toBe(c);
  });

  it('when the snapshot is older than the refresh period, then the old one answers at once and a reload runs behind', async () => {
    const h = harness();
    const first = h.cache.current();
    await h.release();
    const old = await first;
    h.advance(1_500);
    expect(await h.cache.current()).toBe(old);
    expect(h.calls).toHaveLength(2);
    await h.release();
    expect(await h.cache.current()).toBe(h.calls[1]!.area);
  });

  it('when nobody asked for several refresh periods, then the next request waits for a fresh load', async () => {
    const h = harness();
    const first = h.cache.current();
    await h.release();
    await first;
    h.advance(10_000);
    const next = h.cache.current();
    await h.release();
    expect(await next).toBe(h.calls[1]!.area);
  });

  it('when invalidated, then the next request waits for a load that started after the change', async () => {
    const h = harness();
    const first = h.cache.current();
    await h.release();
    await first;
    h.cache.invalidate();
    const next = h.cache.current();
    await h.release();
    expect(await next).toBe(h.calls[1]!.area);
  });

  it('when invalidated while a load is running, then that load does not count and one more runs for everyone waiting', async () => {
    const h = harness();
    const first = h.cache.current();
    await h.settle();
    h.cache.invalidate();
    const second = h.cache.current();
    await h.release(0);
    await h.release(1);
    expect(await second).toBe(h.calls[1]!.area);
    expect(await first).toBe(h.calls[1]!.area);
    expect(h.calls).toHaveLength(2);
  });

  it('when a reload fails, then the previous snapshot keeps answering and the failure is reported', async () => {
    const h = harness();
    const first = h.cache.current();
    await h.release();
    const old = await first;
    h.cache.invalidate();
    const next = h.cache.current();
    await h.settle();
    h.calls[1]!.reject(new Error('database down'));
    expect(await next).toBe(old);
    expect(h.failures).toEqual([new Error('database down')]);
  });

  it('when reloads keep failing, then the old snapshot answers without waiting and a reload is retried once per period', async () => {
    const h = harness();
    const first = h.cache.current();
    await h.release();
    const old = await first;
    h.advance(10_000);
    const next = h.cache.current();
    await h.settle();
    h.calls[1]!.reject(new Error('database down'));
    expect(await next).toBe(old);
    // Within the period after the failure: answered at once, no new attempt.
    h.advance(500);
    expect(await h.cache.current()).toBe(old);
    await h.settle();
    expect(h.calls).toHaveLength(2);
    // A period later: still answered at once, and one more attempt goes out behind it.
    h.advance(600);
    expect(await h.cache.current()).toBe(old);
    await h.settle();
    expect(h.calls).toHaveLength(3);
    await h.release();
    expect(await h.cache.current()).toBe(h.calls[2]!.area);
  });

  it('when the very first load fails, then the answer is 503-kind unavailable', async () => {
    const h = harness();
    const first = h.cache.current();
    await h.settle();
    h.calls[0]!.reject(new Error('database down'));
    const err = await first.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'SERVICE_AREA_UNAVAILABLE', retryAfterSeconds: 1 });
  });
});
