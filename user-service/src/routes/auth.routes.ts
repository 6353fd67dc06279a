import type { RequestHandler, Router } from 'express';
import { ROLES } from '@qc/shared/auth';
import { answers, createRoutes, defineRoute, withStatus } from '@qc/shared/http';
import type { OpenAPIRegistry } from '@qc/shared/openapi';
import { changePassword, login, register } from '../domain/accounts';
import type { Identity } from '../domain/identity';
import { requestOtp, verifyOtp } from '../domain/otp';
import { logout, refreshSession } from '../domain/sessions';
import {
  ChangePasswordBody,
  CodeSentView,
  JwksView,
  LoginBody,
  OtpRequestBody,
  OtpVerifyBody,
  PasswordChangedView,
  RefreshBody,
  RegisterBody,
  SignedInView,
} from './users.schemas';

/** The routes below that check a secret, and so come under the per-address limit. */
const SECRET_CHECKING = ['register', 'login', 'refresh', 'otp/request', 'otp/verify', 'password'].map((action) => `/api/v1/auth/${action}`);

/**
 * Sign-up, login by password or phone code, refresh-token rotation, logout, password change.
 * `limited` is the per-address limit (auth-rate-limit.ts), run before anything else on the routes that check a secret.
 */
export function authRoutes(identity: Identity, openapi: OpenAPIRegistry, limited: RequestHandler): Router {
  const routes = createRoutes(openapi);
  routes.router.post(SECRET_CHECKING, limited);

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/auth/register',
    summary: 'Create an account with email and password; answers the user and a token pair',
    description: 'A phone is attached afterwards, through a code sent to it (`POST /api/v1/users/me/phone`).',
    access: 'anyone',
    request: { body: RegisterBody },
    response: answers.data('Signed up', SignedInView, 201),
    errors: { 409: 'Email taken', 429: 'Too many requests from this address' },
    handler: ({ body }) => register(identity, body),
  });
  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/auth/login',
    summary: 'Log in with email and password',
    access: 'anyone',
    request: { body: LoginBody },
    response: answers.data('Signed in', SignedInView),
    errors: {
      401: 'Wrong email or password',
      403: 'Account disabled',
      429: 'Too many wrong passwords for the account, or requests from this address',
    },
    handler: ({ body }) => login(identity, body.email, body.password),
  });
  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/auth/refresh',
    summary: 'Rotate a refresh token: a new token pair; a reused token ends its session',
    access: 'anyone',
    request: { body: RefreshBody },
    response: answers.data('New pair', SignedInView),
    errors: { 401: 'Invalid or reused', 429: 'Too many requests from this address' },
    handler: ({ body }) => refreshSession(identity, body.refreshToken),
  });
  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/auth/logout',
    summary: 'End the session of a refresh token',
    access: 'anyone',
    request: { body: RefreshBody },
    response: answers.empty('Ended'),
    handler: ({ body }) => logout(identity, body.refreshToken),
  });
  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/auth/otp/request',
    summary: 'Send a six-digit login code by SMS',
    description: 'The same answer whether or not the phone has an account.',
    access: 'anyone',
    request: { body: OtpRequestBody },
    response: answers.data('Sent', CodeSentView, 202),
    errors: { 429: 'Asked again too soon, too many codes for the phone, or the phone is locked by wrong codes' },
    handler: ({ body }) => requestOtp(identity, body.phone),
  });
  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/auth/otp/verify',
    summary: 'Log in with the code; the account is created (201) on a phone’s first login',
    access: 'anyone',
    request: { body: OtpVerifyBody },
    response: answers.data('Signed in (201 when the login created the account)', SignedInView),
    errors: { 401: 'Wrong or expired code', 429: 'Too many guesses for the code or the phone' },
    handler: async ({ body }) => {
      const { created, ...signedIn } = await verifyOtp(identity, body.phone, body.code);
      return created ? withStatus(201, signedIn) : signedIn;
    },
  });
  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/auth/password',
    summary: 'Change password; ends every other session',
    access: ROLES,
    request: { body: ChangePasswordBody },
    response: answers.data('Changed', PasswordChangedView),
    errors: { 429: 'Too many wrong passwords for the account' },
    handler: ({ body, principal }) => changePassword(identity, principal, body.currentPassword, body.newPassword),
  });
  return routes.router;
}

/** The public keys access tokens are signed with; verifiers refetch when a token names a new `kid`. */
export function jwksRoutes(identity: Identity, openapi: OpenAPIRegistry): Router {
  const routes = createRoutes(openapi);
  defineRoute(routes, {
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'JSON Web Key Set of the access-token signing keys (current and retiring)',
    access: 'anyone',
    response: answers.custom('The key set', 'application/json', JwksView),
    handler: async ({ res }) => {
      // Short: after a rotation, a verifier that meets the new kid must find it here at once.
      res.setHeader('Cache-Control', 'public, max-age=60');
      res.json(await identity.keys.jwks());
    },
  });
  return routes.router;
}
