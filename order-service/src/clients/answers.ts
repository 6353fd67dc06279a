import type { z } from 'zod';
import { AppError } from '@qc/shared/http';

/** Reads another service's answer by its contract; an answer outside it is that service failing. */
export function parseAnswer<S extends z.ZodType>(service: string, schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', `${service} answered outside its contract`);
  return parsed.data;
}

/** A 4xx the order cannot be blamed on (a bad token aside): the dependency is not usable right now. */
export function refusedBy(service: string, status: number, cause: unknown): AppError {
  return new AppError('unavailable', 'DEPENDENCY_UNAVAILABLE', `${service} refused the call (${status})`, { cause });
}
