import type CircuitBreaker from 'opossum';
import { Gauge } from 'prom-client';

/** Where a breaker stands: passing calls, letting one trial call through, or refusing at once. */
export type CircuitState = 'closed' | 'half-open' | 'open';

const STATE_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

export function circuitStateOf<TI extends unknown[], TR>(breaker: CircuitBreaker<TI, TR>): CircuitState {
  if (breaker.closed) return 'closed';
  return breaker.halfOpen ? 'half-open' : 'open';
}

/** Who a breaker guards: the service called, and the address (origin) it is called at. */
export interface BreakerLabels {
  upstream: string;
  instance: string;
}

/**
 * `circuit_breaker_state` of every breaker in the process: the gateway's, one per upstream
 * instance, and a service's, one per ServiceClient. It belongs to the process rather than to one
 * registry (like Node's default metrics) because a service builds its clients from its settings,
 * where no registry is at hand; every `Metrics` registry exports it, under its own `service` label.
 */
export const circuitBreakerState = new Gauge({
  name: 'circuit_breaker_state',
  help: 'Breaker per called service (upstream) and address (instance): 0 closed, 1 half-open, 2 open',
  labelNames: ['upstream', 'instance'] as const,
  registers: [],
});

/**
 * Exports `breaker`'s state as `circuit_breaker_state{upstream, instance}` from now on: set on its
 * open, halfOpen and close events (nothing per call), and removed when the breaker shuts down.
 * One breaker per labels: a process holds one client, or one gateway instance, per address called.
 */
export function watchBreaker<TI extends unknown[], TR>(breaker: CircuitBreaker<TI, TR>, labels: BreakerLabels): void {
  const report = () => circuitBreakerState.set(labels, STATE_VALUE[circuitStateOf(breaker)]);
  breaker.on('open', report).on('halfOpen', report).on('close', report);
  breaker.on('shutdown', () => circuitBreakerState.remove(labels));
  report();
}
