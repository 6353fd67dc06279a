import { failureResponse } from '@qc/shared/openapi';

/** The failures of an admin route: bad input, no token, wrong role. */
export const adminFailures = {
  400: failureResponse('invalid input (VALIDATION_FAILED, INVALID_POLYGON)'),
  401: failureResponse('no valid access token'),
  403: failureResponse('not an admin'),
};
