import { Router } from 'express';
import type { z } from 'zod';
import { allow, principalOf, ROLES } from '@qc/shared/auth';
import { decodeCursor, ok, page, validate } from '@qc/shared/http';
import { jsonContent, responses, type OpenAPIRegistry } from '@qc/shared/openapi';
import { addAddress, addressOf, addressesOf, deleteAddress, updateAddress } from '../domain/addresses';
import { changeRole, findUsers, setAccountStatus, userById } from '../domain/administration';
import type { Identity } from '../domain/identity';
import { getProfile, updateProfile } from '../domain/profile';
import { AddressPatch, IdParams, NewAddressBody, ProfilePatch, RoleBody, UserSearchQuery } from './users.schemas';

/** The signed-in user's own profile and addresses; another user's address is a 404. */
export function profileRoutes(identity: Identity, openapi: OpenAPIRegistry): Router {
  const me = '/api/v1/users/me';
  openapi.registerPath({
    method: 'get',
    path: me,
    summary: 'Your profile',
    responses: responses({ 200: 'Profile', 401: 'Not signed in' }),
  });
  openapi.registerPath({
    method: 'patch',
    path: me,
    summary: 'Change your name, phone or preferences (nothing else)',
    request: { body: jsonContent(ProfilePatch) },
    responses: responses({ 200: 'Profile', 400: 'Invalid or not changeable', 409: 'Phone taken' }),
  });
  openapi.registerPath({
    method: 'get',
    path: `${me}/addresses`,
    summary: 'Your delivery addresses',
    responses: responses({ 200: 'Addresses' }),
  });
  openapi.registerPath({
    method: 'post',
    path: `${me}/addresses`,
    summary: 'Add a delivery address (the first one is the default)',
    request: { body: jsonContent(NewAddressBody) },
    responses: responses({ 201: 'Added', 422: 'Too many addresses' }),
  });
  openapi.registerPath({
    method: 'get',
    path: `${me}/addresses/{id}`,
    summary: 'One of your addresses',
    request: { params: IdParams },
    responses: responses({ 200: 'Address', 404: 'Not yours or none' }),
  });
  openapi.registerPath({
    method: 'patch',
    path: `${me}/addresses/{id}`,
    summary: 'Change one of your addresses; isDefault: true makes it the default',
    request: { params: IdParams, body: jsonContent(AddressPatch) },
    responses: responses({ 200: 'Address', 404: 'Not yours or none' }),
  });
  openapi.registerPath({
    method: 'delete',
    path: `${me}/addresses/{id}`,
    summary: 'Delete one of your addresses',
    request: { params: IdParams },
    responses: responses({ 204: 'Deleted', 404: 'Not yours or none' }),
  });

  const signedIn = allow(...ROLES);
  return Router()
    .get(me, signedIn, async (req, res) => {
      res.json(ok(await getProfile(identity, principalOf(req).userId)));
    })
    .patch(me, signedIn, validate({ body: ProfilePatch }), async (req, res) => {
      res.json(ok(await updateProfile(identity, principalOf(req).userId, req.body)));
    })
    .get(`${me}/addresses`, signedIn, async (req, res) => {
      res.json(ok(await addressesOf(identity, principalOf(req).userId)));
    })
    .post(`${me}/addresses`, signedIn, validate({ body: NewAddressBody }), async (req, res) => {
      res.status(201).json(ok(await addAddress(identity, principalOf(req).userId, req.body)));
    })
    .get(`${me}/addresses/:id`, signedIn, validate({ params: IdParams }), async (req, res) => {
      res.json(ok(await addressOf(identity, principalOf(req).userId, req.params.id as string)));
    })
    .patch(`${me}/addresses/:id`, signedIn, validate({ params: IdParams, body: AddressPatch }), async (req, res) => {
      res.json(ok(await updateAddress(identity, principalOf(req).userId, req.params.id as string, req.body)));
    })
    .delete(`${me}/addresses/:id`, signedIn, validate({ params: IdParams }), async (req, res) => {
      await deleteAddress(identity, principalOf(req).userId, req.params.id as string);
      res.status(204).end();
    });
}

/** User administration, for admins only. */
export function adminRoutes(identity: Identity, openapi: OpenAPIRegistry): Router {
  openapi.registerPath({
    method: 'get',
    path: '/api/v1/users',
    summary: 'Search users by email, phone or name prefix, role and status; newest first, cursor-paged (admin)',
    request: { query: UserSearchQuery },
    responses: responses({ 200: 'A page of users', 403: 'Not an admin' }),
  });
  openapi.registerPath({
    method: 'get',
    path: '/api/v1/users/{id}',
    summary: 'One user (admin)',
    request: { params: IdParams },
    responses: responses({ 200: 'User', 404: 'No such user' }),
  });
  openapi.registerPath({
    method: 'patch',
    path: '/api/v1/users/{id}/role',
    summary: "Change a user's role; their current tokens stop working (admin)",
    request: { params: IdParams, body: jsonContent(RoleBody) },
    responses: responses({ 200: 'User', 422: 'Your own account' }),
  });
  for (const action of ['disable', 'enable'] as const) {
    openapi.registerPath({
      method: 'post',
      path: `/api/v1/users/{id}/${action}`,
      summary:
        action === 'disable'
          ? 'Disable an account: its tokens and sessions stop working at once (admin)'
          : 'Enable a disabled account (admin)',
      request: { params: IdParams },
      responses: responses({ 200: 'User', 422: 'Your own account' }),
    });
  }

  const admin = allow('admin');
  return Router()
    .get('/api/v1/users', admin, validate({ query: UserSearchQuery }), async (req, res) => {
      const query = req.query as unknown as z.output<typeof UserSearchQuery>;
      const users = await findUsers(identity, {
        q: query.q,
        role: query.role,
        status: query.status,
        after: decodeCursor(query.cursor),
        limit: query.limit + 1,
      });
      const { items, meta } = page(users, query.limit, (user) => user.id);
      res.json(ok(items, meta));
    })
    .get('/api/v1/users/:id', admin, validate({ params: IdParams }), async (req, res) => {
      res.json(ok(await userById(identity, req.params.id as string)));
    })
    .patch('/api/v1/users/:id/role', admin, validate({ params: IdParams, body: RoleBody }), async (req, res) => {
      res.json(ok(await changeRole(identity, principalOf(req), req.params.id as string, req.body.role)));
    })
    .post('/api/v1/users/:id/disable', admin, validate({ params: IdParams }), async (req, res) => {
      res.json(ok(await setAccountStatus(identity, principalOf(req), req.params.id as string, 'disabled')));
    })
    .post('/api/v1/users/:id/enable', admin, validate({ params: IdParams }), async (req, res) => {
      res.json(ok(await setAccountStatus(identity, principalOf(req), req.params.id as string, 'active')));
    });
}
