/** What a store's partner wait is estimated from. */
export interface StoreDispatch {
  /** Online partners with nothing to do. */
  free: number;
  /** Online partners on a delivery. */
  busy: number;
  /** Deliveries waiting for a partner. */
  queued: number;
  /** Mean minutes a delivery keeps its partner (assignment to hand-over). */
  turnaroundMinutes: number;
}

/**
 * Minutes a new order would wait for a partner at a store: none while a partner is free for it;
 * otherwise its place in the queue, served as the online partners come back, each after a
 * turnaround on average. With nobody online, `noPartnerMinutes`.
 */
export function partnerWaitMinutes(store: StoreDispatch, noPartnerMinutes: number): number {
  const online = store.free + store.busy;
  if (online === 0) return noPartnerMinutes;
  const place = store.queued - store.free + 1;
  if (place <= 0) return 0;
  return Math.ceil((place * store.turnaroundMinutes) / online);
}
