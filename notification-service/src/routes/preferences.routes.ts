import type { Router } from 'express';
import { z } from 'zod';
import { answers, createRoutes, defineRoute } from '@qc/shared/http';
import type { ServiceDeps } from '@qc/shared/service';
import { isTimeZone, isValidTimeOfDay } from '@qc/shared/time';
import { changePreferences, preferencesOf, type PreferencesRecord } from '../domain/preferences';
import type { NotificationConfig } from '../config';

const timeOfDay = z.string().refine((value) => isValidTimeOfDay(value) && value !== '24:00', 'must be a local time HH:MM, 00:00 to 23:59');

const QuietHours = z
  .strictObject({ start: timeOfDay, end: timeOfDay })
  .refine((quiet) => quiet.start !== quiet.end, { message: 'start and end must differ', path: ['end'] });

const Channels = z.strictObject({ email: z.boolean(), sms: z.boolean(), push: z.boolean() });

export const PreferencesBody = z.strictObject({
  channels: Channels.partial().optional(),
  quietHours: QuietHours.nullable().optional().describe('null switches quiet hours off'),
  timeZone: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as Asia/Kolkata').optional(),
});

export const PreferencesView = z
  .object({
    channels: Channels,
    quietHours: z.object({ start: z.string(), end: z.string() }).nullable(),
    timeZone: z.string(),
    note: z.string(),
  })
  .openapi('NotificationPreferences');

const NOTE =
  'One-time codes always go by SMS. Order and payment messages go out at once on the channels switched on; ' +
  'other messages (the welcome email) wait until quiet hours end.';

/** The caller's notification preferences: channels, quiet hours and their time zone. */
export function preferencesRoutes(deps: ServiceDeps<NotificationConfig>): Router {
  const routes = createRoutes(deps.openapi);
  const view = (preferences: PreferencesRecord): z.infer<typeof PreferencesView> => ({
    channels: preferences.channels,
    quietHours: preferences.quietHours,
    timeZone: preferences.timeZone ?? deps.settings.DEFAULT_TIME_ZONE,
    note: NOTE,
  });

  defineRoute(routes, {
    method: 'get',
    path: '/api/v1/notifications/preferences',
    summary: 'My notification preferences',
    access: ['customer', 'admin', 'delivery_partner'],
    response: answers.data('The caller’s preferences (every channel on until they choose)', PreferencesView),
    handler: async ({ principal }) => view(await preferencesOf(deps.dataSource, principal.userId)),
  });

  defineRoute(routes, {
    method: 'put',
    path: '/api/v1/notifications/preferences',
    summary: 'Change my notification preferences; fields left out stay as they are',
    access: ['customer', 'admin', 'delivery_partner'],
    request: { body: PreferencesBody },
    response: answers.data('The preferences after the change', PreferencesView),
    handler: async ({ principal, body }) => view(await changePreferences(deps.dataSource, principal.userId, body)),
  });

  return routes.router;
}
