/**
 * The sandbox PSP as its own process (`node payment-service/dist/sandbox-psp/main.js`): what
 * `make run` starts beside the fleet, the way a real provider's test mode would be there.
 */
import { z } from 'zod';
import { createLogger } from '@qc/shared/logging';
import { SandboxPsp } from './sandbox-psp';

const Settings = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8099),
  HOST: z.string().min(1).default('127.0.0.1'),
  PAYMENT_PROVIDER_API_KEY: z.string().min(16),
  PAYMENT_WEBHOOK_SECRET: z.string().min(16),
  PAYMENT_WEBHOOK_URL: z.url().default('http://127.0.0.1:8086/api/v1/webhooks/payments'),
  PSP_ASYNC_CONFIRM_MS: z.coerce.number().int().min(0).max(600_000).default(3_000),
  PSP_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  PSP_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
});

async function main(): Promise<void> {
  const parsed = Settings.safeParse(process.env);
  if (!parsed.success) {
    console.error(`sandbox-psp: bad configuration\n${z.prettifyError(parsed.error)}`);
    process.exit(1);
  }
  const settings = parsed.data;
  const psp = new SandboxPsp({
    apiKey: settings.PAYMENT_PROVIDER_API_KEY,
    webhookSecret: settings.PAYMENT_WEBHOOK_SECRET,
    webhookUrl: settings.PAYMENT_WEBHOOK_URL,
    asyncConfirmMs: settings.PSP_ASYNC_CONFIRM_MS,
    webhookRetryBaseMs: settings.PSP_WEBHOOK_RETRY_BASE_MS,
    webhookMaxAttempts: settings.PSP_WEBHOOK_MAX_ATTEMPTS,
  });
  const url = await psp.listen(settings.PORT, settings.HOST);
  createLogger('sandbox-psp', 'info').info({ url, webhookUrl: settings.PAYMENT_WEBHOOK_URL }, 'sandbox PSP listening');
  const stop = () => void psp.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
