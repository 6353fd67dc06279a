import { z } from 'zod';
import { newId } from '../db';
import { currentContext } from '../logging';
import { catalog, isEventType, ownerOf, type EventData, type EventType } from './catalog';

/** CloudEvents 1.0, structured JSON mode, with our correlation/causation extensions. */
export const CloudEventEnvelope = z.object({
  specversion: z.literal('1.0'),
  id: z.uuid(),
  source: z.string().regex(/^\/[a-z-]+$/),
  type: z.string().min(1),
  subject: z.string().min(1),
  time: z.iso.datetime(),
  datacontenttype: z.literal('application/json'),
  dataversion: z.string().min(1),
  correlationid: z.string().min(1),
  causationid: z.string().optional(),
  data: z.unknown(),
});
export type CloudEvent<T = unknown> = Omit<z.output<typeof CloudEventEnvelope>, 'data'> & { data: T };
export type CatalogEvent<T extends EventType = EventType> = CloudEvent<EventData<T>> & { type: T };

export class ContractViolation extends Error {
  constructor(
    message: string,
    readonly issues: z.core.$ZodIssue[] = [],
  ) {
    super(message);
    this.name = 'ContractViolation';
  }
}

export interface NewEventOptions {
  /** The aggregate id; also the Kafka message key, so one aggregate's events stay in order. */
  subject: string;
  /** The event this one answers, if any; its correlation id is inherited. */
  causedBy?: CloudEvent;
  correlationId?: string;
}

/** Builds an event and validates it against the catalog, so nothing invalid reaches the outbox. */
export function newEvent<T extends EventType>(source: string, type: T, data: EventData<T>, options: NewEventOptions): CatalogEvent<T> {
  if (source !== ownerOf(type)) throw new ContractViolation(`${source} may not publish ${type}: it belongs to ${ownerOf(type)}`);
  const parsed = catalog[type].safeParse(data);
  if (!parsed.success) throw new ContractViolation(`${type} data breaks its contract`, parsed.error.issues);
  const correlationid = options.correlationId ?? options.causedBy?.correlationid ?? currentContext()?.requestId ?? newId();
  return {
    specversion: '1.0',
    id: newId(),
    source: `/${source}`,
    type,
    subject: options.subject,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataversion: '1',
    correlationid,
    ...(options.causedBy ? { causationid: options.causedBy.id } : {}),
    data: parsed.data as EventData<T>,
  };
}

/** Parses a message from the wire: envelope first, then the data contract of its type. */
export function parseEvent(raw: Buffer | string | null): CatalogEvent {
  if (raw === null) throw new ContractViolation('message has no value');
  let json: unknown;
  try {
    json = JSON.parse(raw.toString());
  } catch {
    throw new ContractViolation('message is not JSON');
  }
  const envelope = CloudEventEnvelope.safeParse(json);
  if (!envelope.success) throw new ContractViolation('envelope is not a CloudEvent 1.0', envelope.error.issues);
  const { type } = envelope.data;
  if (!isEventType(type)) throw new ContractViolation(`unknown event type ${type}`);
  if (envelope.data.source !== `/${ownerOf(type)}`)
    throw new ContractViolation(`${type} must come from /${ownerOf(type)}, not ${envelope.data.source}`);
  const data = catalog[type].safeParse(envelope.data.data);
  if (!data.success) throw new ContractViolation(`${type} data breaks its contract`, data.error.issues);
  return { ...envelope.data, type, data: data.data } as CatalogEvent;
}
