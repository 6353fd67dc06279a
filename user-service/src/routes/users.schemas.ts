import { z } from 'zod';
import { ROLES } from '@qc/shared/auth';
import { pageQuery } from '@qc/shared/http';
import { Password } from '../domain/passwords';

export const Email = z.string().trim().toLowerCase().pipe(z.email().max(254));
/** E.164, e.g. +919812345678. */
export const Phone = z.string().regex(/^\+[1-9]\d{7,14}$/, 'must be an E.164 phone number such as +919812345678');
const Name = z.string().trim().min(1).max(100);
/** Opaque refresh tokens are 32 random bytes in base64url: 43 characters. */
const RefreshToken = z.string().regex(/^[\w-]{43}$/, 'is not a refresh token');

/** No phone: one is attached only through a code sent to it (PhoneChangeBody, PhoneConfirmBody). */
export const RegisterBody = z.strictObject({ email: Email, password: Password, name: Name });
export const LoginBody = z.strictObject({ email: Email, password: z.string().min(1).max(128) });
export const RefreshBody = z.strictObject({ refreshToken: RefreshToken });
export const ChangePasswordBody = z.strictObject({ currentPassword: z.string().min(1).max(128), newPassword: Password });
export const OtpRequestBody = z.strictObject({ phone: Phone });
const Code = z.string().regex(/^\d{6}$/, 'must be the six-digit code');
export const OtpVerifyBody = z.strictObject({ phone: Phone, code: Code });
/** `currentPassword` is required of an account that has one; one without signs in by code first. */
const CurrentPassword = z.string().min(1).max(128).optional();
export const PhoneChangeBody = z.strictObject({ phone: Phone, currentPassword: CurrentPassword });
export const PhoneConfirmBody = z.strictObject({ phone: Phone, code: Code });
/** Lower-cased and trimmed like sign-up's, so one address is one account whatever its spelling. */
export const EmailChangeBody = z.strictObject({ email: Email, currentPassword: CurrentPassword });
/** The code alone: it confirms the address the account's latest request named. */
export const EmailConfirmBody = z.strictObject({ code: Code });

/** Channel choices (email, SMS, push) are notification-service's; a client still sending them here is told where they went. */
export const PreferencesPatch = z.strictObject(
  {
    language: z.enum(['en', 'hi', 'kn', 'ta', 'te', 'mr', 'bn']).optional(),
    marketing: z.boolean().optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' && issue.keys.includes('notifications')
        ? 'channel preferences are set at PUT /api/v1/notifications/preferences'
        : undefined,
  },
);
/**
 * What a user may change about themselves. Strict: `role`, `id`, `passwordHash` are rejected, not
 * ignored; so are `email` and `phone`, which change only through a code sent to the new one.
 */
export const ProfilePatch = z
  .strictObject({ name: Name.optional(), preferences: PreferencesPatch.optional() })
  .refine((patch) => Object.keys(patch).length > 0, 'name or preferences is required');

const AddressFields = {
  label: z.string().trim().min(1).max(32),
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).nullable(),
  city: z.string().trim().min(1).max(100),
  /** Indian PIN code: six digits, not starting with 0. */
  pincode: z.string().regex(/^[1-9]\d{5}$/, 'must be a six-digit PIN code'),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
};
export const NewAddressBody = z.strictObject({
  ...AddressFields,
  line2: AddressFields.line2.default(null),
  isDefault: z.boolean().optional(),
});
export const AddressPatch = z
  .strictObject({
    label: AddressFields.label.optional(),
    line1: AddressFields.line1.optional(),
    line2: AddressFields.line2.optional(),
    city: AddressFields.city.optional(),
    pincode: AddressFields.pincode.optional(),
    lat: AddressFields.lat.optional(),
    lng: AddressFields.lng.optional(),
    isDefault: z.literal(true).optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'at least one field is required');

export const IdParams = z.strictObject({ id: z.uuid() });

export const UserSearchQuery = z.strictObject({
  ...pageQuery,
  q: z.string().trim().min(1).max(100).optional(),
  role: z.enum(ROLES).optional(),
  status: z.enum(['active', 'disabled']).optional(),
});
export const RoleBody = z.strictObject({ role: z.enum(ROLES) });

// What the routes answer (inside the envelope's `data`).

export const UserView = z
  .object({
    id: z.uuid(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    name: z.string().nullable(),
    role: z.enum(ROLES),
    status: z.enum(['active', 'disabled']),
    preferences: z.object({
      language: z.string(),
      marketing: z.boolean(),
    }),
    hasPassword: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('User');

export const SignedInView = z
  .object({
    user: UserView,
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the access token expires' }),
  })
  .openapi('SignedIn');

export const CodeSentView = z
  .object({ expiresAt: z.string(), resendAfterSeconds: z.number().int() })
  .openapi('CodeSent', { description: 'A code is on its way to the phone or email address' });

export const PasswordChangedView = z.object({ sessionsEnded: z.number().int() });

export const AddressView = z
  .object({
    id: z.uuid(),
    label: z.string(),
    line1: z.string(),
    line2: z.string().nullable(),
    city: z.string(),
    pincode: z.string(),
    lat: z.number(),
    lng: z.number(),
    isDefault: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Address');

/** RFC 7517 key set; public EC keys only. */
export const JwksView = z
  .object({ keys: z.array(z.object({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.string().optional() }).loose()) })
  .openapi('JsonWebKeySet');
