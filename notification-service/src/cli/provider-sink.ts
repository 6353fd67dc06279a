/**
 * `make run` starts this beside the fleet: the SMS and push providers' stand-in on
 * ${SINK_HOST:-127.0.0.1}:${SINK_PORT:-1081}. Read what was "sent" at http://127.0.0.1:1081/sms and /push.
 */
import { ProviderSink } from '../channels/provider-sink';

const sink = new ProviderSink();
sink
  .listen(Number(process.env.SINK_PORT ?? 1081), process.env.SINK_HOST ?? '127.0.0.1')
  .then((port) => console.log(`SMS/push sink listening on port ${port} (GET /sms, /push)`))
  .catch((err: unknown) => {
    console.error('SMS/push sink failed to start:', err);
    process.exit(1);
  });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void sink.close().then(() => process.exit(0)));
