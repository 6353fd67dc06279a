import type { ChannelName } from '../data/preferences.repository';
import { ChannelFailure, type Channel, type OutgoingMessage } from './channel';

export interface HttpProviderOptions {
  name: Extract<ChannelName, 'sms' | 'push'>;
  /** The provider's send endpoint. */
  url: string;
  token?: string | undefined;
  timeoutMs: number;
}

/**
 * SMS and push through a provider's HTTP API: a JSON POST with the delivery's id as the
 * `Idempotency-Key`, so a provider that dedupes never delivers a message twice when a send is
 * retried (after a timeout, or a crash before the outcome was recorded), while an admin's resend,
 * a delivery of its own, does go out again. SMS posts `{to, body}`; push posts `{userId, title, body}`. In
 * development the URL points at the sink `make run` starts, which stores what it is sent.
 */
export class HttpProviderChannel implements Channel {
  readonly name: HttpProviderOptions['name'];

  constructor(private readonly options: HttpProviderOptions) {
    this.name = options.name;
  }

  async send(message: OutgoingMessage): Promise<{ providerMessageId: string | null }> {
    const payload =
      this.name === 'sms'
        ? { to: message.to, body: message.body }
        : { userId: message.to, title: message.subject ?? '', body: message.body, data: { notificationId: message.notificationId } };
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': message.deliveryId,
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
        },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      throw new ChannelFailure(true, `${this.name} provider unreachable: ${(err as Error).message}`);
    }
    if (!response.ok) {
      const transient = response.status >= 500 || response.status === 429 || response.status === 408;
      throw new ChannelFailure(transient, `${this.name} provider answered ${response.status}`);
    }
    const answer = (await response.json().catch(() => ({}))) as { id?: unknown };
    return { providerMessageId: typeof answer.id === 'string' ? answer.id : null };
  }
}
