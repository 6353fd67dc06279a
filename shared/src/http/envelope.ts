import type { ErrorDetail } from './errors';

/** Success envelope; `meta` carries list paging (`nextCursor`, `limit`). */
export interface Ok<T> {
  success: true;
  data: T;
  meta?: Record<string, unknown>;
}

export interface Failure {
  success: false;
  error: string;
  code: number;
  errorCode: string;
  details: ErrorDetail[];
  requestId: string | undefined;
}

export function ok<T>(data: T, meta?: Record<string, unknown>): Ok<T> {
  return meta ? { success: true, data, meta } : { success: true, data };
}

export function failure(
  status: number,
  errorCode: string,
  message: string,
  details: ErrorDetail[],
  requestId: string | undefined,
): Failure {
  return { success: false, error: message, code: status, errorCode, details, requestId };
}
