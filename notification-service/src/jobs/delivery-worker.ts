import { PeriodicJob, type BackgroundJob } from '@qc/shared/service';
import type { Channel } from '../channels/channel';
import { sendDueDeliveries, type Dispatch } from '../domain/deliveries';

/**
 * Sends due deliveries every `pollMs`, each channel on a `PeriodicJob` of its own: a channel whose
 * provider hangs until its timeout holds up only its own next round. A channel drains its queue
 * round after round until a round claims nothing. Any number of replicas may run it (claims skip
 * rows another worker has locked). A failed round (the database away) is logged with its channel
 * and tried again at the next tick.
 */
export class DeliveryWorker implements BackgroundJob {
  private readonly jobs: PeriodicJob[];

  constructor(
    dispatch: Dispatch,
    private readonly channels: readonly Channel[],
    pollMs: number,
  ) {
    this.jobs = channels.map(
      (channel) =>
        new PeriodicJob({
          name: `${channel.name}-delivery`,
          logger: dispatch.logger.child({ channel: channel.name }),
          intervalMs: pollMs,
          round: async () => {
            const { sent, retrying, failed } = await sendDueDeliveries(dispatch, channel);
            return sent + retrying + failed;
          },
        }),
    );
  }

  start(): void {
    for (const job of this.jobs) job.start();
  }

  /** Waits for the rounds in progress, then closes the channels' connections. */
  async stop(): Promise<void> {
    await Promise.all(this.jobs.map((job) => job.stop()));
    await Promise.all(this.channels.map((channel) => channel.close?.()));
  }
}
