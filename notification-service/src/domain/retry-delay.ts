/**
 * The wait before the next send after `attempt` failed sends: `base · 2^(attempt−1)`, at most
 * `max`, spread ±20 % so deliveries that failed together (an SMTP outage) do not all come back in
 * the same instant.
 */
export function retryDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(Math.min(maxMs, exponential * (0.8 + 0.4 * random())));
}
