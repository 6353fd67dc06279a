import { AppError } from '@qc/shared/http';

export function notificationNotFound(id: string): AppError {
  return new AppError('not_found', 'NOTIFICATION_NOT_FOUND', `Notification ${id} does not exist`);
}

export function notResendable(id: string): AppError {
  return new AppError(
    'rule_violation',
    'NOTIFICATION_NOT_RESENDABLE',
    `Notification ${id} carried a one-time code, which is never kept: the user asks for a new code instead`,
  );
}

export function alreadyQueued(id: string): AppError {
  return new AppError('conflict', 'NOTIFICATION_ALREADY_QUEUED', `Notification ${id} is already queued to be sent`);
}
