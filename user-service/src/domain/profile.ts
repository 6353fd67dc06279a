import { AppError } from '@qc/shared/http';
import { findUserById, updateProfile as writeProfile, type Preferences, type UserRow } from '../data/users.repository';
import { duplicateContact } from './accounts';
import { toUserView, userEvent, type Identity, type UserView } from './identity';

export async function getProfile(identity: Identity, userId: string): Promise<UserView> {
  return toUserView(await existingUser(identity, userId));
}

async function existingUser(identity: Identity, userId: string): Promise<UserRow> {
  const user = await findUserById(identity.dataSource, userId);
  if (!user) throw new AppError('not_found', 'USER_NOT_FOUND', 'User not found');
  return user;
}

export interface ProfileUpdate {
  name?: string | undefined;
  phone?: string | null | undefined;
  /** Merged into the stored preferences: a client sends only what it changes. */
  preferences?:
    | { language?: string | undefined; notifications?: Partial<Preferences['notifications']> | undefined; marketing?: boolean | undefined }
    | undefined;
}

/** The fields a user may change about themselves; role, email and id are not among them. */
export async function updateProfile(identity: Identity, userId: string, update: ProfileUpdate): Promise<UserView> {
  try {
    return await identity.outbox.transaction(async (tx, emit) => {
      const user = await findUserById(tx, userId, { lock: true });
      if (!user) throw new AppError('not_found', 'USER_NOT_FOUND', 'User not found');
      if (update.phone === null && user.email === null) {
        throw new AppError('rule_violation', 'PHONE_REQUIRED', 'An account without an email signs in by phone and must keep one');
      }
      const preferences = update.preferences && {
        language: update.preferences.language ?? user.preferences.language,
        notifications: { ...user.preferences.notifications, ...update.preferences.notifications },
        marketing: update.preferences.marketing ?? user.preferences.marketing,
      };
      const changed = [
        ...(update.name !== undefined && update.name !== user.name ? ['name'] : []),
        ...(update.phone !== undefined && update.phone !== user.phone ? ['phone'] : []),
        ...(preferences && JSON.stringify(preferences) !== JSON.stringify(user.preferences) ? ['preferences'] : []),
      ];
      if (changed.length === 0) return toUserView(user);
      await writeProfile(tx, userId, { name: update.name, phone: update.phone, preferences });
      emit(userEvent('user.updated', userId, { userId, changed }));
      return toUserView((await findUserById(tx, userId))!);
    });
  } catch (err) {
    throw duplicateContact(err) ?? err;
  }
}
