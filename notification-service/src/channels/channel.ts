import type { ChannelName } from '../data/preferences.repository';

/** One message as a channel sends it. */
export interface OutgoingMessage {
  notificationId: string;
  /** This send's id: retries of a send reuse it (providers that dedupe take it as the idempotency key); a resend has its own. */
  deliveryId: string;
  userId: string | null;
  /** An email address, a phone number, or (push) a user id. */
  to: string;
  subject: string | null;
  body: string;
}

/** A provider behind a channel: SMTP for email, an HTTP API for SMS and push. */
export interface Channel {
  readonly name: ChannelName;
  /** Resolves with the provider's message id; rejects with a `ChannelFailure`. */
  send(message: OutgoingMessage): Promise<{ providerMessageId: string | null }>;
  close?(): Promise<void> | void;
}

/**
 * Why a send failed. Transient failures (the server away, a timeout, a 4xx SMTP reply or an HTTP
 * 429/5xx) are tried again later; permanent ones (a refused recipient, a rejected request) are not.
 */
export class ChannelFailure extends Error {
  constructor(
    readonly transient: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'ChannelFailure';
  }
}
