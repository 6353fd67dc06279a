import { Agent } from 'node:http';
import type { Logger } from '@qc/shared/logging';
import { watchBreaker } from '@qc/shared/metrics';
import type { GatewayConfig } from '../config';
import { UpstreamProxy } from './proxy';
import { UpstreamInstance, UpstreamPool } from './upstream-pool';

const IDLE_SOCKET_TIMEOUT_MS = 60_000;

export interface Upstreams {
  /** One pool per service, by service name. */
  pools: ReadonlyMap<string, UpstreamPool>;
  /** Stops the breakers' timers and closes the pooled upstream connections. */
  close(): void;
}

/**
 * Every configured instance of every service: one keep-alive agent for all of them, one proxy and
 * one breaker per instance. Breaker transitions are logged and exported (circuit_breaker_state, the
 * gauge the services' own breakers share).
 */
export function createUpstreams(
  config: Pick<
    GatewayConfig,
    'upstreams' | 'BODY_LIMIT' | 'UPSTREAM_TIMEOUT_MS' | 'BREAKER_RESET_MS' | 'BREAKER_ERROR_PERCENT' | 'BREAKER_VOLUME'
  >,
  { logger }: { logger: Logger },
): Upstreams {
  // Idle sockets are closed after 60 s, before the services close theirs (65 s), so the gateway
  // never sends on a socket the service is closing (an idle timeout only; a request in flight is
  // bounded by its breaker's deadline instead). Node's defaults do the rest: LIFO reuse keeps a
  // small set of connections warm, up to 256 of them idle. Only options that differ from the
  // defaults are given: the agent copies its options into every request's, key by key.
  const agent = new Agent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS });
  const settings = {
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    resetMs: config.BREAKER_RESET_MS,
    errorPercent: config.BREAKER_ERROR_PERCENT,
    volume: config.BREAKER_VOLUME,
  };

  const pools = new Map<string, UpstreamPool>();
  for (const [service, urls] of config.upstreams) {
    const instances = urls.map((url) => {
      const proxy = new UpstreamProxy(new URL(url), { agent, bodyLimitBytes: config.BODY_LIMIT });
      const instance = new UpstreamInstance(service, proxy, settings);
      watchBreaker(instance.breaker, { upstream: service, instance: instance.url });
      const report = () => {
        const level = instance.state === 'closed' ? 'info' : 'warn';
        logger[level]({ upstream: service, instance: instance.url, circuit: instance.state }, `circuit ${instance.state}`);
      };
      instance.breaker.on('open', report).on('halfOpen', report).on('close', report);
      return instance;
    });
    pools.set(service, new UpstreamPool(service, instances));
  }

  return {
    pools,
    close: () => {
      for (const pool of pools.values()) pool.close();
      agent.destroy();
    },
  };
}
