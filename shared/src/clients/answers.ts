import type { z } from 'zod';
import { AppError } from '../http/errors';

/** Reads another service's answer by its contract; an answer outside it is that service failing. */
export function parseAnswer<S extends z.ZodType>(service: string, schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', `${service} answered outside its contract`);
  return parsed.data;
}

/**
 * A 4xx the caller cannot be blamed on (a route that is not there yet, a contract that moved on):
 * the dependency is not usable right now. The 4xx a caller does own (a store it named that does
 * not exist, an address that is not theirs) each client reads before it gets here.
 */
export function refusedBy(service: string, status: number, cause: unknown): AppError {
  return new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', `${service} refused the call (${status})`, { cause });
}
