import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Handlebars from 'handlebars';
import type { ChannelName } from '../data/preferences.repository';

/**
 * `notification-service/data/templates`, from `src/domain` and `dist/domain` alike (the image ships
 * a service's `data/` beside its `dist/`).
 */
export const TEMPLATES_DIR = resolve(__dirname, '../../data/templates');

/** `<name>.<version>.<channel>.hbs`, e.g. `order-confirmed.v1.email.hbs`. */
const FILE_NAME = /^([a-z][a-z0-9-]*)\.(v\d+)\.(email|sms|push)\.hbs$/;

/** What a template renders to; email and push templates start with a headline line, then a blank line. */
export interface RenderedMessage {
  subject: string | null;
  body: string;
}

const engine = Handlebars.create();
/** Money in minor units as shown to people: `{amount: 4999, currency: 'INR'}` → `₹49.99`. */
engine.registerHelper('money', (money: { amount: number; currency: string } | undefined) => {
  if (!money) return '';
  const symbol = money.currency === 'INR' ? '₹' : `${money.currency} `;
  return `${symbol}${(money.amount / 100).toFixed(2)}`;
});

/**
 * The versioned templates, compiled once at start. Texts are plain (email bodies, SMS, push), so
 * values are not HTML-escaped; a new wording is a new version file, and the notification records
 * which version it was rendered from.
 */
export class Templates {
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();

  constructor(directory: string = TEMPLATES_DIR) {
    for (const file of readdirSync(directory)) {
      const match = FILE_NAME.exec(file);
      if (!match) continue;
      const source = readFileSync(join(directory, file), 'utf8');
      this.compiled.set(key(`${match[1]}.${match[2]}`, match[3] as ChannelName), engine.compile(source, { noEscape: true, strict: true }));
    }
  }

  has(template: string, channel: ChannelName): boolean {
    return this.compiled.has(key(template, channel));
  }

  /** Renders `template` (`name.version`) for a channel; a missing template or value is an error. */
  render(template: string, channel: ChannelName, values: Record<string, unknown>): RenderedMessage {
    const compiled = this.compiled.get(key(template, channel));
    if (!compiled) throw new Error(`no template ${template} for ${channel}`);
    const text = compiled(values)
      .replace(/\n{3,}/g, '\n\n')
      .trim();
    if (channel === 'sms') return { subject: null, body: text };
    const [headline = '', ...rest] = text.split('\n');
    return { subject: headline.trim(), body: rest.join('\n').trim() };
  }
}

function key(template: string, channel: ChannelName): string {
  return `${template}.${channel}`;
}
