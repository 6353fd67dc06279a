import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { ChannelFailure, type Channel, type OutgoingMessage } from './channel';

export interface EmailOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`. */
  url: string;
  from: string;
  timeoutMs: number;
}

/** Network errors nodemailer reports while connecting or talking to the server. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPROTOCOL']);

/**
 * Email through any SMTP server (nodemailer): MailDev in development, the provider's relay in
 * production. The Message-ID is the delivery's, the same for every retry of one send; the
 * X-Notification-Id header names the notification, the same for a resend.
 */
export class EmailChannel implements Channel {
  readonly name = 'email' as const;
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(private readonly options: EmailOptions) {
    this.transport = nodemailer.createTransport({
      url: options.url,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    } as SMTPTransport.Options);
  }

  async send(message: OutgoingMessage): Promise<{ providerMessageId: string | null }> {
    try {
      const info = await this.transport.sendMail({
        from: this.options.from,
        to: message.to,
        subject: message.subject ?? '',
        text: message.body,
        messageId: `<${message.deliveryId}@notifications.quickcommerce>`,
        headers: { 'X-Notification-Id': message.notificationId },
      });
      return { providerMessageId: info.messageId };
    } catch (err) {
      throw toFailure(err);
    }
  }

  close(): void {
    this.transport.close();
  }
}

function toFailure(err: unknown): ChannelFailure {
  const { code, responseCode, message } = err as { code?: string; responseCode?: number; message?: string };
  if (typeof responseCode === 'number') {
    // 4xx replies are the server's "try again later"; 5xx refuse this message for good.
    return new ChannelFailure(responseCode < 500, `SMTP ${responseCode}: ${message ?? 'refused'}`);
  }
  return new ChannelFailure(code === undefined || TRANSIENT_CODES.has(code), `SMTP ${code ?? 'error'}: ${message ?? String(err)}`);
}
