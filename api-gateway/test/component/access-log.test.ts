import { eventually, memoryLogger } from '@qc/shared/testing';
import { type RunningGateway, startGateway, startUpstream, type FakeUpstream } from '../fixtures';

type Line = Record<string, unknown>;

/** The gateway's access lines (not its other lines, such as an upstream's failure), by request id. */
function accessLines(lines: () => Line[]): Map<unknown, Line> {
  const access = lines().filter((line) => 'statusCode' in line && 'durationMs' in line);
  return new Map(access.map((line) => [line.requestId, line]));
}

describe("the gateway's access lines", () => {
  let orders: FakeUpstream;
  let payments: FakeUpstream;
  const gateways: RunningGateway[] = [];

  beforeAll(async () => {
    orders = await startUpstream('order-service');
    payments = await startUpstream('payment-service', { failWith: 503 });
  });

  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await orders?.stop();
    await payments?.stop();
  });

  async function gatewayLoggingTo(env: Record<string, string> = {}) {
    const { logger, lines } = memoryLogger('api-gateway');
    const gateway = await startGateway({ 'order-service': [orders.url], 'payment-service': [payments.url] }, env, logger);
    gateways.push(gateway);
    return { gateway, lines };
  }

  it('when a service answers, then the gateway writes no line for it, only for what it answered itself or what failed', async () => {
    const { gateway, lines } = await gatewayLoggingTo();
    const statuses = [];
    for (const [path, requestId] of [
      ['/api/v1/orders', 'relayed'],
      ['/api/v1/nothing-here', 'unknown-route'],
      ['/api/v1/users/me', 'service-down'],
      ['/api/v1/payments', 'relayed-5xx'],
    ]) {
      statuses.push((await gateway.fetch(path!, { headers: { 'x-request-id': requestId! } })).status);
    }
    expect(statuses).toEqual([200, 404, 503, 503]);

    const logged = await eventually(async () => {
      const byId = accessLines(lines);
      return byId.has('relayed-5xx') && byId;
    });
    expect(logged.get('unknown-route')).toMatchObject({ msg: 'request completed', level: 'info', statusCode: 404 });
    expect(logged.get('service-down')).toMatchObject({ msg: 'request failed', level: 'error', statusCode: 503 });
    expect(logged.get('relayed-5xx')).toMatchObject({ msg: 'request failed', level: 'error', statusCode: 503, url: '/api/v1/payments' });
    expect(logged.has('relayed')).toBe(false);
  });

  it('when LOG_RELAYED_REQUESTS is on, then an answer a service gave gets the gateway line too', async () => {
    const { gateway, lines } = await gatewayLoggingTo({ LOG_RELAYED_REQUESTS: 'true' });
    expect((await gateway.fetch('/api/v1/orders', { headers: { 'x-request-id': 'relayed-logged' } })).status).toBe(200);
    const line = await eventually(async () => accessLines(lines).get('relayed-logged'));
    expect(line).toMatchObject({ msg: 'request completed', level: 'info', statusCode: 200, url: '/api/v1/orders' });
  });
});
