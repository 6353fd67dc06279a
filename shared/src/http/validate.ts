import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { AppError } from './errors';

export interface RequestSchemas {
  body?: z.ZodType | undefined;
  query?: z.ZodType | undefined;
  params?: z.ZodType | undefined;
  /** A `z.object` (not strict: requests carry many headers) of the lower-case header names a route reads. */
  headers?: z.ZodType | undefined;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The headers a route declared, parsed (`req.headers` itself stays as Node gave it). */
    validatedHeaders?: unknown;
  }
}

export function issuesToDetails(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/**
 * Validates and replaces body, query and params with the parsed values. Request schemas are built
 * with `z.strictObject` so unknown fields are rejected (mass assignment never reaches the domain).
 */
export function validate(schemas: RequestSchemas): RequestHandler {
  return (req, _res, next) => {
    const details: { path: string; message: string }[] = [];
    const parsed: Record<string, unknown> = {};
    for (const part of ['params', 'query', 'headers', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = schema.safeParse(req[part] ?? {});
      if (result.success) parsed[part] = result.data;
      else details.push(...issuesToDetails(result.error).map((d) => ({ ...d, path: d.path ? `${part}.${d.path}` : part })));
    }
    if (details.length > 0) return next(new AppError('invalid_input', 'VALIDATION_FAILED', 'Request is invalid', { details }));
    if ('headers' in parsed) {
      req.validatedHeaders = parsed.headers;
      delete parsed.headers;
    }
    // Express 5 exposes query through a getter; define own properties to hand on parsed values.
    for (const [part, value] of Object.entries(parsed)) Object.defineProperty(req, part, { value, writable: true, configurable: true });
    next();
  };
}
