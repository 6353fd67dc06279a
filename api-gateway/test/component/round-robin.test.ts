import { jsonOf, type RunningGateway, startGateway, startUpstream, type FakeUpstream } from '../fixtures';

async function servedBy(gateway: RunningGateway, path: string): Promise<string> {
  const res = await gateway.fetch(path);
  return res.status === 200 ? `${(await jsonOf(res)).data.upstream}` : String(res.status);
}

describe('round-robin over the instances of one service', () => {
  let first: FakeUpstream;
  let second: FakeUpstream;
  let gateway: RunningGateway;

  beforeEach(async () => {
    [first, second] = await Promise.all([startUpstream('cart-a'), startUpstream('cart-b')]);
    gateway = await startGateway({ 'cart-service': [first.url, second.url] }, { BREAKER_VOLUME: '2', BREAKER_RESET_MS: '60000' });
  });

  afterEach(async () => {
    await gateway?.stop();
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it('when a service has two instances, then requests alternate between them', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push(await servedBy(gateway, '/api/v1/carts/mine'));
    expect(answers).toEqual(['cart-a', 'cart-b', 'cart-a', 'cart-b', 'cart-a', 'cart-b']);
  });

  it('when one instance is down, then once its breaker opens every request goes to the other', async () => {
    await first.stop();
    const answers: string[] = [];
    for (let i = 0; i < 10; i++) answers.push(await servedBy(gateway, '/api/v1/carts/mine'));
    // Failures reach the down instance until its breaker has seen enough of them, then never again.
    const lastFailure = answers.lastIndexOf('503');
    expect(lastFailure).toBeGreaterThanOrEqual(0);
    expect(answers.slice(lastFailure + 1).length).toBeGreaterThanOrEqual(5);
    expect(new Set(answers.slice(lastFailure + 1))).toEqual(new Set(['cart-b']));
    expect(gateway.gateway.upstreams.pools.get('cart-service')!.instances.map((i) => i.state)).toEqual(['open', 'closed']);
  });
});
