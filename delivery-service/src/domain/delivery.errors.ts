import { AppError } from '@qc/shared/http';

export function deliveryNotFound(orderId: string): AppError {
  return new AppError('not_found', 'DELIVERY_NOT_FOUND', `No delivery for order ${orderId}`);
}

export function partnerNotFound(): AppError {
  return new AppError('not_found', 'PARTNER_NOT_FOUND', 'You are not onboarded as a delivery partner');
}

export function partnerExists(userId: string): AppError {
  return new AppError('conflict', 'PARTNER_EXISTS', `User ${userId} is a delivery partner already`);
}

export function partnerOffline(): AppError {
  return new AppError('conflict', 'PARTNER_OFFLINE', 'Go online before reporting your position');
}

export function partnerBusy(): AppError {
  return new AppError('conflict', 'PARTNER_BUSY', 'Finish or fail your current delivery before going offline');
}

export function deliveryNotInState(status: string, action: string): AppError {
  return new AppError('conflict', 'DELIVERY_STATE_CONFLICT', `A ${status} delivery cannot be ${action}`);
}

export function deliveryChanged(action: string): AppError {
  return new AppError('conflict', 'DELIVERY_STATE_CONFLICT', `The delivery changed meanwhile and cannot be ${action}`);
}

export function otpInvalid(attemptsLeft: number): AppError {
  return new AppError('rule_violation', 'DELIVERY_OTP_INVALID', `Wrong delivery code; ${attemptsLeft} attempt(s) left`, {
    details: [{ path: 'otp', message: 'does not match', attemptsLeft }],
  });
}

export function otpLocked(): AppError {
  return new AppError('conflict', 'DELIVERY_OTP_LOCKED', 'Too many wrong delivery codes: the code is locked; an admin can issue a new one');
}

export function codMismatch(due: number): AppError {
  return new AppError('rule_violation', 'COD_AMOUNT_MISMATCH', `Collect exactly the amount due (${due} paise) for a cash order`, {
    details: [{ path: 'codCollected', message: `must be ${due} paise`, due }],
  });
}

export function codNotExpected(): AppError {
  return new AppError('rule_violation', 'COD_NOT_EXPECTED', 'This order was paid online: nothing is collected at the door', {
    details: [{ path: 'codCollected', message: 'only for cash-on-delivery orders' }],
  });
}

export function tooManyReports(retryAfterSeconds: number): AppError {
  return new AppError('rate_limited', 'LOCATION_REPORTS_TOO_FREQUENT', 'Position reports are coming too fast', { retryAfterSeconds });
}
