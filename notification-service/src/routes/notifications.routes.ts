import type { Router } from 'express';
import { answers, createRoutes, decodeCursor, defineRoute, page, withStatus } from '@qc/shared/http';
import type { ServiceDeps } from '@qc/shared/service';
import { deadLetters, historyOf, resendNotification, type Dispatch } from '../domain/deliveries';
import {
  AdminNotificationView,
  HistoryQuery,
  NotificationParams,
  NotificationView,
  toAdminNotificationView,
  toNotificationView,
} from './notifications.schemas';

/** The caller's message history; for admins, the dead letters and resending. */
export function notificationsRoutes(deps: ServiceDeps, dispatch: Dispatch): Router {
  const routes = createRoutes(deps.openapi);

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/notifications',
    summary: 'My notifications, newest first',
    access: ['customer', 'admin', 'delivery_partner'],
    request: { query: HistoryQuery },
    response: answers.page('A page of the caller’s notifications', NotificationView),
    handler: async ({ query, principal }) => {
      const rows = await historyOf(deps.dataSource, principal.userId, {
        channel: query.channel,
        before: decodeCursor(query.cursor),
        limit: query.limit + 1,
      });
      const { items, meta } = page(rows, query.limit, (n) => n.id);
      return { items: items.map(toNotificationView), meta };
    },
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/notifications/failed',
    summary: 'Notifications whose sending failed for good (admin), newest first',
    access: ['admin'],
    request: { query: HistoryQuery },
    response: answers.page('A page of failed notifications, with the last error', AdminNotificationView),
    handler: async ({ query }) => {
      const rows = await deadLetters(deps.dataSource, {
        channel: query.channel,
        before: decodeCursor(query.cursor),
        limit: query.limit + 1,
      });
      const { items, meta } = page(rows, query.limit, (n) => n.id);
      return { items: items.map(toAdminNotificationView), meta };
    },
  });

  defineRoute(routes, {
    method: 'post',
    path: '/api/v1/notifications/{id}/resend',
    summary: 'Send a notification again (admin): a new delivery of the same message, queued now',
    access: ['admin'],
    request: { params: NotificationParams },
    response: answers.data('The notification, queued (status PENDING)', AdminNotificationView, 202),
    errors: {
      404: 'No such notification',
      409: 'A send of it is already queued',
      422: 'It carried a one-time code, which is never kept',
    },
    handler: async ({ params, principal }) =>
      withStatus(202, toAdminNotificationView(await resendNotification(dispatch, params.id, principal.userId))),
  });

  return routes.router;
}
