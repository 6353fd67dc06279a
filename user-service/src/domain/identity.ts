import type { RevocationList } from '@qc/shared/auth';
import type { DataSource } from '@qc/shared/db';
import { newEvent, type EventData, type EventType, type Outbox } from '@qc/shared/events';
import type { Redis } from '@qc/shared/redis';
import type { UserSettings } from '../config';
import type { SigningKeyRing } from '../data/signing-keys';
import type { UserRow } from '../data/users.repository';

/** What the identity use cases work with; built once in service.ts. */
export interface Identity {
  dataSource: DataSource;
  outbox: Outbox;
  redis: Redis;
  revocations: RevocationList;
  keys: SigningKeyRing;
  settings: Readonly<UserSettings>;
  tokens: { issuer: string; audience: string };
  /** Key of the HMAC that OTP codes are stored under. */
  otpKey: Buffer;
}

export const SERVICE = 'user-service';

export function userEvent<T extends EventType>(type: T, subject: string, data: EventData<T>) {
  return newEvent(SERVICE, type, data, { subject });
}

/** A user as the API shows it: never the password hash. */
export interface UserView {
  id: string;
  email: string | null;
  phone: string | null;
  name: string | null;
  role: UserRow['role'];
  status: UserRow['status'];
  preferences: UserRow['preferences'];
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
}

export function toUserView(user: UserRow): UserView {
  const { passwordHash, ...visible } = user;
  return { ...visible, hasPassword: passwordHash !== null };
}

export const DEFAULT_PREFERENCES: UserRow['preferences'] = {
  language: 'en',
  marketing: false,
};
