import { AppError } from '@qc/shared/http';
import { findUserById, updateProfile as writeProfile } from '../data/users.repository';
import { confirmAccountHolder, duplicateContact } from './accounts';
import { toUserView, userEvent, type Identity, type UserView } from './identity';
import { phoneTarget, sendCode, spendCode, type CodeSent } from './otp';

/**
 * Step one of attaching or changing a phone: the caller proves it is the account holder (its current
 * password, or a recent sign-in by code for an account without one), then a code goes to the new
 * phone. The answer is the same whether or not another account has that phone: only someone holding
 * the phone learns it, at step two.
 */
export async function requestPhoneChange(
  identity: Identity,
  caller: { userId: string; sessionId: string },
  phone: string,
  currentPassword: string | undefined,
): Promise<CodeSent> {
  const user = await findUserById(identity.dataSource, caller.userId);
  if (!user) throw new AppError('not_found', 'USER_NOT_FOUND', 'User not found');
  if (user.phone === phone) throw new AppError('rule_violation', 'PHONE_UNCHANGED', 'This phone is already on your account');
  const target = phoneTarget(identity, phone);
  await confirmAccountHolder(identity, user, caller.sessionId, currentPassword);
  return sendCode(identity, target, { kind: 'attach', userId: user.id });
}

/** Step two: the code sent to the new phone attaches it; it is then a login identity of this account. */
export async function confirmPhoneChange(identity: Identity, userId: string, phone: string, code: string): Promise<UserView> {
  await spendCode(identity, phoneTarget(identity, phone), { kind: 'attach', userId }, code);
  try {
    return await identity.outbox.transaction(async (tx, emit) => {
      const user = await findUserById(tx, userId, { lock: true });
      if (!user) throw new AppError('not_found', 'USER_NOT_FOUND', 'User not found');
      await writeProfile(tx, userId, { phone });
      emit(userEvent('user.updated', userId, { userId, changed: ['phone'], phone }));
      return toUserView((await findUserById(tx, userId))!);
    });
  } catch (err) {
    throw duplicateContact(err) ?? err;
  }
}
