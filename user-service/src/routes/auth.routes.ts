import { Router } from 'express';
import type { z } from 'zod';
import { allow, anyone, principalOf, ROLES } from '@qc/shared/auth';
import { ok, validate } from '@qc/shared/http';
import { jsonContent, responses, type OpenAPIRegistry } from '@qc/shared/openapi';
import { changePassword, login, register } from '../domain/accounts';
import type { Identity } from '../domain/identity';
import { requestOtp, verifyOtp } from '../domain/otp';
import { logout, refreshSession } from '../domain/sessions';
import { ChangePasswordBody, LoginBody, OtpRequestBody, OtpVerifyBody, RefreshBody, RegisterBody } from './users.schemas';

/** Sign-up, login by password or phone code, refresh-token rotation, logout, password change. */
export function authRoutes(identity: Identity, openapi: OpenAPIRegistry): Router {
  const paths: [string, z.ZodType, string, Record<number, string>][] = [
    [
      '/api/v1/auth/register',
      RegisterBody,
      'Create an account; answers the user and a token pair',
      { 201: 'Signed up', 409: 'Email or phone taken' },
    ],
    [
      '/api/v1/auth/login',
      LoginBody,
      'Log in with email and password',
      { 200: 'Signed in', 401: 'Wrong email or password', 429: 'Locked out' },
    ],
    [
      '/api/v1/auth/refresh',
      RefreshBody,
      'Rotate a refresh token: a new token pair; a reused token ends its session',
      { 200: 'New pair', 401: 'Invalid or reused' },
    ],
    ['/api/v1/auth/logout', RefreshBody, 'End the session of a refresh token', { 204: 'Ended' }],
    ['/api/v1/auth/otp/request', OtpRequestBody, 'Send a six-digit login code by SMS', { 202: 'Sent', 429: 'Asked again too soon' }],
    [
      '/api/v1/auth/otp/verify',
      OtpVerifyBody,
      'Log in (or sign up) with the code',
      { 200: 'Signed in', 401: 'Wrong or expired code', 429: 'Too many guesses' },
    ],
    [
      '/api/v1/auth/password',
      ChangePasswordBody,
      'Change password; ends every other session',
      { 200: 'Changed', 400: 'Wrong current password or weak new one' },
    ],
  ];
  for (const [path, schema, summary, descriptions] of paths) {
    openapi.registerPath({ method: 'post', path, summary, request: { body: jsonContent(schema) }, responses: responses(descriptions) });
  }

  return Router()
    .post('/api/v1/auth/register', anyone, validate({ body: RegisterBody }), async (req, res) => {
      res.status(201).json(ok(await register(identity, req.body)));
    })
    .post('/api/v1/auth/login', anyone, validate({ body: LoginBody }), async (req, res) => {
      res.json(ok(await login(identity, req.body.email, req.body.password)));
    })
    .post('/api/v1/auth/refresh', anyone, validate({ body: RefreshBody }), async (req, res) => {
      res.json(ok(await refreshSession(identity, req.body.refreshToken)));
    })
    .post('/api/v1/auth/logout', anyone, validate({ body: RefreshBody }), async (req, res) => {
      await logout(identity, req.body.refreshToken);
      res.status(204).end();
    })
    .post('/api/v1/auth/otp/request', anyone, validate({ body: OtpRequestBody }), async (req, res) => {
      res.status(202).json(ok(await requestOtp(identity, req.body.phone)));
    })
    .post('/api/v1/auth/otp/verify', anyone, validate({ body: OtpVerifyBody }), async (req, res) => {
      const { created, ...signedIn } = await verifyOtp(identity, req.body.phone, req.body.code);
      res.status(created ? 201 : 200).json(ok(signedIn));
    })
    .post('/api/v1/auth/password', allow(...ROLES), validate({ body: ChangePasswordBody }), async (req, res) => {
      res.json(ok(await changePassword(identity, principalOf(req), req.body.currentPassword, req.body.newPassword)));
    });
}

/** The public keys access tokens are signed with; verifiers refetch when a token names a new `kid`. */
export function jwksRoutes(identity: Identity, openapi: OpenAPIRegistry): Router {
  openapi.registerPath({
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'JSON Web Key Set of the access-token signing keys (current and retiring)',
    responses: { 200: { description: 'The key set' } },
  });
  return Router().get('/.well-known/jwks.json', anyone, async (_req, res) => {
    // Short: after a rotation, a verifier that meets the new kid must find it here at once.
    res.setHeader('Cache-Control', 'public, max-age=60');
    res.json(await identity.keys.jwks());
  });
}
