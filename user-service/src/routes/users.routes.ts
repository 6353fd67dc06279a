import type { RequestHandler, Router } from 'express';
import { ROLES } from '@qc/shared/auth';
import { answers, createRoutes, decodeCursor, defineRoute, page } from '@qc/shared/http';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import { addAddress, addressOf, addressesOf, deleteAddress, updateAddress } from '../domain/addresses';
import { changeRole, findUsers, setAccountStatus, userById } from '../domain/administration';
import { confirmEmailChange, requestEmailChange } from '../domain/email-change';
import type { Identity } from '../domain/identity';
import { confirmPhoneChange, requestPhoneChange } from '../domain/phone-change';
import { getProfile, updateProfile } from '../domain/profile';
import {
  AddressPatch,
  AddressView,
  CodeSentView,
  EmailChangeBody,
  EmailConfirmBody,
  IdParams,
  NewAddressBody,
  PhoneChangeBody,
  PhoneConfirmBody,
  ProfilePatch,
  RoleBody,
  UserSearchQuery,
  UserView,
} from './users.schemas';

/**
 * The signed-in user's own profile, phone, email and addresses; another user's address is a 404.
 * `limited` is the per-address limit (auth-rate-limit.ts) on the phone and email changes, which check a password and a code.
 */
export function profileRoutes(identity: Identity, openapi: OpenAPIRegistry, limited: RequestHandler): Router {
  const routes = createRoutes(openapi);
  const me = '/api/v1/users/me';
  routes.router.post([`${me}/phone`, `${me}/phone/verify`, `${me}/email`, `${me}/email/verify`], limited);

  defineRoute(routes, {
    method: 'get',
    path: me,
    summary: 'Your profile',
    access: ROLES,
    response: answers.data('Profile', UserView),
    handler: ({ principal }) => getProfile(identity, principal.userId),
  });
  defineRoute(routes, {
    method: 'patch',
    path: me,
    summary: 'Change your name or preferences (nothing else)',
    access: ROLES,
    request: { body: ProfilePatch },
    response: answers.data('Profile', UserView),
    handler: ({ principal, body }) => updateProfile(identity, principal.userId, body),
  });
  defineRoute(routes, {
    method: 'post',
    path: `${me}/phone`,
    summary: 'Attach or change your phone, step one: a code goes to the new phone',
    description:
      'Needs `currentPassword` when the account has one; an account without one must have signed in by code in the last 10 minutes. ' +
      'The answer is the same whether or not another account has the phone.',
    access: ROLES,
    request: { body: PhoneChangeBody },
    response: answers.data('Code sent', CodeSentView, 202),
    errors: {
      403: 'No recent sign-in by code (account without a password)',
      422: 'Already your phone',
      429: 'Too many wrong passwords, codes asked too often, or the phone is locked',
    },
    handler: ({ principal, body }) => requestPhoneChange(identity, principal, body.phone, body.currentPassword),
  });
  defineRoute(routes, {
    method: 'post',
    path: `${me}/phone/verify`,
    summary: 'Attach or change your phone, step two: the code attaches it; it then signs in to this account',
    access: ROLES,
    request: { body: PhoneConfirmBody },
    response: answers.data('Profile with the new phone', UserView),
    errors: { 401: 'Wrong or expired code', 409: 'Another account has this phone', 429: 'Too many guesses' },
    handler: ({ principal, body }) => confirmPhoneChange(identity, principal.userId, body.phone, body.code),
  });
  defineRoute(routes, {
    method: 'post',
    path: `${me}/email`,
    summary: 'Change your sign-in email, step one: a code goes to the new address',
    description:
      'Needs `currentPassword` when the account has one; an account without one must have signed in by code in the last 10 minutes. ' +
      'The address is lower-cased as at sign-up. The answer is the same whether or not another account has the address.',
    access: ROLES,
    request: { body: EmailChangeBody },
    response: answers.data('Code sent', CodeSentView, 202),
    errors: {
      403: 'No recent sign-in by code (account without a password)',
      422: 'Already your email',
      429: 'Too many wrong passwords, codes asked too often, or the address is locked by wrong codes',
    },
    handler: ({ principal, body }) => requestEmailChange(identity, principal, body.email, body.currentPassword),
  });
  defineRoute(routes, {
    method: 'post',
    path: `${me}/email/verify`,
    summary: 'Change your sign-in email, step two: the code sent to the new address makes it your email',
    description: 'Confirms the address of your latest request. The old address is told of the change; your sessions go on.',
    access: ROLES,
    request: { body: EmailConfirmBody },
    response: answers.data('Profile with the new email', UserView),
    errors: { 401: 'Wrong or expired code, or no change asked', 409: 'Another account has this email', 429: 'Too many guesses' },
    handler: ({ principal, body }) => confirmEmailChange(identity, principal.userId, body.code),
  });
  defineRoute(routes, {
    method: 'get',
    path: `${me}/addresses`,
    summary: 'Your delivery addresses',
    access: ROLES,
    response: answers.data('Addresses', AddressView.array()),
    handler: ({ principal }) => addressesOf(identity, principal.userId),
  });
  defineRoute(routes, {
    method: 'post',
    path: `${me}/addresses`,
    summary: 'Add a delivery address (the first one is the default)',
    access: ROLES,
    request: { body: NewAddressBody },
    response: answers.data('Added', AddressView, 201),
    errors: { 422: 'Too many addresses' },
    handler: ({ principal, body }) => addAddress(identity, principal.userId, body),
  });
  defineRoute(routes, {
    method: 'get',
    path: `${me}/addresses/{id}`,
    summary: 'One of your addresses',
    access: ROLES,
    request: { params: IdParams },
    response: answers.data('Address', AddressView),
    errors: { 404: 'Not yours or none' },
    handler: ({ principal, params }) => addressOf(identity, principal.userId, params.id),
  });
  defineRoute(routes, {
    method: 'patch',
    path: `${me}/addresses/{id}`,
    summary: 'Change one of your addresses; isDefault: true makes it the default',
    access: ROLES,
    request: { params: IdParams, body: AddressPatch },
    response: answers.data('Address', AddressView),
    errors: { 404: 'Not yours or none' },
    handler: ({ principal, params, body }) => updateAddress(identity, principal.userId, params.id, body),
  });
  defineRoute(routes, {
    method: 'delete',
    path: `${me}/addresses/{id}`,
    summary: 'Delete one of your addresses',
    access: ROLES,
    request: { params: IdParams },
    response: answers.empty('Deleted'),
    errors: { 404: 'Not yours or none' },
    handler: ({ principal, params }) => deleteAddress(identity, principal.userId, params.id),
  });
  return routes.router;
}

/** User administration, for admins only. */
export function adminRoutes(identity: Identity, openapi: OpenAPIRegistry): Router {
  const routes = createRoutes(openapi);
  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/users',
    summary: 'Search users by email, phone or name prefix, role and status; newest first, cursor-paged',
    access: ['admin'],
    request: { query: UserSearchQuery },
    response: answers.page('A page of users', UserView),
    handler: async ({ query }) => {
      const users = await findUsers(identity, {
        q: query.q,
        role: query.role,
        status: query.status,
        after: decodeCursor(query.cursor),
        limit: query.limit + 1,
      });
      return page(users, query.limit, (user) => user.id);
    },
  });
  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/users/{id}',
    summary: 'One user',
    access: ['admin'],
    request: { params: IdParams },
    response: answers.data('User', UserView),
    errors: { 404: 'No such user' },
    handler: ({ params }) => userById(identity, params.id),
  });
  defineRoute(routes, {
    method: 'patch',
    path: '/api/v1/users/{id}/role',
    summary: "Change a user's role; their current tokens stop working",
    access: ['admin'],
    request: { params: IdParams, body: RoleBody },
    response: answers.data('User', UserView),
    errors: { 404: 'No such user', 422: 'Your own account' },
    handler: ({ principal, params, body }) => changeRole(identity, principal, params.id, body.role),
  });
  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/users/{id}/disable',
    summary: 'Disable an account: its tokens and sessions stop working at once',
    access: ['admin'],
    request: { params: IdParams },
    response: answers.data('User', UserView),
    errors: { 404: 'No such user', 422: 'Your own account' },
    handler: ({ principal, params }) => setAccountStatus(identity, principal, params.id, 'disabled'),
  });
  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/users/{id}/enable',
    summary: 'Enable a disabled account',
    access: ['admin'],
    request: { params: IdParams },
    response: answers.data('User', UserView),
    errors: { 404: 'No such user', 422: 'Your own account' },
    handler: ({ principal, params }) => setAccountStatus(identity, principal, params.id, 'active'),
  });
  return routes.router;
}
