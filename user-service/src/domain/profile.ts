import { AppError } from '@qc/shared/http';
import { findUserById, updateProfile as writeProfile, type Preferences, type UserRow } from '../data/users.repository';
import { toUserView, userEvent, type Identity, type UserView } from './identity';

export async function getProfile(identity: Identity, userId: string): Promise<UserView> {
  return toUserView(await existingUser(identity, userId));
}

async function existingUser(identity: Identity, userId: string): Promise<UserRow> {
  const user = await findUserById(identity.dataSource, userId);
  if (!user) throw new AppError('not_found', 'USER_NOT_FOUND', 'User not found');
  return user;
}

/** Phone is not here: it changes only through a code sent to it (phone-change.ts). */
export interface ProfileUpdate {
  name?: string | undefined;
  /** Merged into the stored preferences: a client sends only what it changes. */
  preferences?: { [K in keyof Preferences]?: Preferences[K] | undefined } | undefined;
}

/** The fields a user may change about themselves; role, email, phone and id are not among them. */
export async function updateProfile(identity: Identity, userId: string, update: ProfileUpdate): Promise<UserView> {
  return identity.outbox.transaction(async (tx, emit) => {
    const user = await findUserById(tx, userId, { lock: true });
    if (!user) throw new AppError('not_found', 'USER_NOT_FOUND', 'User not found');
    const preferences = update.preferences && {
      language: update.preferences.language ?? user.preferences.language,
      marketing: update.preferences.marketing ?? user.preferences.marketing,
    };
    const changed = [
      ...(update.name !== undefined && update.name !== user.name ? ['name'] : []),
      ...(preferences && JSON.stringify(preferences) !== JSON.stringify(user.preferences) ? ['preferences'] : []),
    ];
    if (changed.length === 0) return toUserView(user);
    await writeProfile(tx, userId, { name: update.name, preferences });
    emit(userEvent('user.updated', userId, { userId, changed, ...(changed.includes('name') ? { name: update.name } : {}) }));
    return toUserView((await findUserById(tx, userId))!);
  });
}
