import type { BackgroundJob } from '@qc/shared/service';
import type { Channel } from '../channels/channel';
import { sendDueDeliveries, type Dispatch } from '../domain/deliveries';

/**
 * Sends due deliveries on an interval, each channel in a round of its own: a channel whose
 * provider hangs until its timeout holds up only its own next round. A channel drains its queue
 * round after round until a round claims nothing. Any number of replicas may run it (claims skip
 * rows another worker has locked). A failed round (the database away) is logged and tried again.
 */
export class DeliveryWorker implements BackgroundJob {
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly dispatch: Dispatch,
    private readonly channels: readonly Channel[],
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.stopping = false;
    this.timer ??= setInterval(() => this.tick(), this.pollMs);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all(this.running.values());
    await Promise.all(this.channels.map((channel) => channel.close?.()));
  }

  private tick(): void {
    for (const channel of this.channels) {
      if (this.running.has(channel.name)) continue;
      const round = this.drain(channel)
        .catch((err: unknown) => this.dispatch.logger.error({ err, channel: channel.name }, 'delivery round failed'))
        .finally(() => this.running.delete(channel.name));
      this.running.set(channel.name, round);
    }
  }

  private async drain(channel: Channel): Promise<void> {
    while (!this.stopping) {
      const { sent, retrying, failed } = await sendDueDeliveries(this.dispatch, channel);
      if (sent + retrying + failed === 0) return;
    }
  }
}
