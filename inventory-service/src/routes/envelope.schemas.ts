import { failureResponse } from '@qc/shared/openapi';

const ERROR_DESCRIPTIONS = {
  400: 'Invalid input (unknown fields included)',
  401: 'No valid access token',
  403: 'The caller’s role may not do this',
  404: 'No such store, stock item or reservation',
  422: 'A stock rule refuses the change',
} as const;

/** This service's error answers, by status, for `registerPath`. */
export function errors(...statuses: (keyof typeof ERROR_DESCRIPTIONS)[]) {
  return Object.fromEntries(statuses.map((status) => [status, failureResponse(ERROR_DESCRIPTIONS[status])]));
}
