import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@qc/shared/testing';
import { chromium, type Browser } from 'playwright-core';
import { startGateway, type RunningGateway } from '../../../api-gateway/test/fixtures';
import { startUserService, type UserServiceUnderTest } from '../../../user-service/test/fixtures';
import { startAnalyticsService, type AnalyticsUnderTest } from '../fixtures';
import { EventPublisher, eventAt, id, orderStory } from '../story';

/** Debian's Chromium (`apt-get install -y chromium`), driven by playwright-core; no browser download. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** SCREENSHOT=docs/analytics-dashboard.png keeps the picture in the repository; by default it goes to the temp folder. */
const SCREENSHOT = process.env.SCREENSHOT ?? join(tmpdir(), 'analytics-dashboard.png');

/** The browser's globals the checks read inside the page, typed as far as they need (the tests compile without the DOM's types). */
interface InPage {
  Chart: { getChart(canvas: unknown): { data: { datasets: { data: (number | null)[] }[] } } | undefined };
  document: {
    querySelectorAll(selector: string): Iterable<{ id: string; width: number }>;
    querySelector(selector: string): { textContent: string | null } | null;
  };
}

/**
 * The dashboard (issue 16) as an analyst sees it: through the real gateway, signing in at the real
 * user-service with an account an admin made analyst, reading analytics-service's rollups of events
 * sent through the real broker. The page loads, every chart draws the seeded data, and the browser
 * reports no error (a script the Content-Security-Policy refused would be one).
 */
describe('analytics dashboard in headless Chromium', () => {
  let users: UserServiceUnderTest;
  let analytics: AnalyticsUnderTest;
  let gateway: RunningGateway;
  let publisher: EventPublisher;
  let browser: Browser;
  const stores = [id(), id()];
  // Two zones served by the first store, one by the second; the third never announced, so unnamed.
  const zones = [id(), id(), id()];
  const zoneNames = ['Koramangala', 'HSR Layout'];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    users = await startUserService();
    const jwks = { JWKS_URL: `http://127.0.0.1:${users.service.port}/.well-known/jwks.json` };
    analytics = await startAnalyticsService({
      label: 'analytics-dashboard',
      env: { ...jwks, PRODUCT_SERVICE_URL: 'http://127.0.0.1:2', INVENTORY_SERVICE_URL: 'http://127.0.0.1:2' },
    });
    gateway = await startGateway(
      { 'user-service': [`http://127.0.0.1:${users.service.port}`], 'analytics-service': [`http://127.0.0.1:${analytics.service.port}`] },
      jwks,
    );
    publisher = await EventPublisher.connect();

    // Three days of orders at two stores: delivered (some late), cancelled, failed payments.
    const products = [id(), id(), id(), id()];
    const now = Date.now();
    let placed = 0;
    for (let n = 0; n < 24; n++) {
      const at = new Date(now - (n * 3 + 1) * 3_600_000);
      const outcome =
        n % 7 === 3 ? { cancelled: 'OUT_OF_STOCK' } : n % 9 === 5 ? { paymentFailed: 'DECLINED' } : { delivered: 6 + ((n * 5) % 9) };
      const story = orderStory({
        at,
        storeId: stores[n % 2]!,
        zoneId: n % 2 === 1 ? zones[2]! : zones[(n / 2) % 2]!,
        method: ['UPI', 'CARD', 'WALLET'][n % 3]!,
        lines: [
          { productId: products[n % 4]!, quantity: 1 + (n % 3), unitPrice: 4_500 + 500 * (n % 5) },
          { productId: products[(n + 1) % 4]!, quantity: 1, unitPrice: 2_900 },
        ],
        outcome,
      });
      await publisher.publish(...story.events);
      placed++;
    }
    await publisher.publish(
      eventAt(new Date(now - 5 * 3_600_000), 'inventory.out_of_stock', { storeId: stores[0]!, productId: products[0]! }),
      ...['sms', 'push', 'email', 'sms'].map((channel, i) =>
        eventAt(new Date(now - (i + 1) * 7_200_000), 'notification.sent', {
          notificationId: id(),
          channel: channel as 'sms',
          template: 'order-confirmed',
        }),
      ),
      ...zoneNames.map((name, i) =>
        eventAt(
          new Date(now - 80 * 3_600_000),
          'location.zone.created',
          { zoneId: zones[i]!, storeId: stores[0]!, name, active: true },
          zones[i],
        ),
      ),
    );
    // analytics now trusts user-service's keys alone: read as a real admin.
    const reader = (await users.admin()).bearer;
    await eventually(async () => {
      const counts = await Promise.all(
        stores.map(
          async (storeId) => (await analytics.api().get('/api/v1/analytics/orders').set('authorization', reader).query({ storeId })).body,
        ),
      );
      const named = (await analytics.api().get('/api/v1/analytics/zones').set('authorization', reader)).body.data?.rows.filter(
        (row: { zone: string | null }) => row.zone !== null,
      );
      return counts.reduce((sum, body) => sum + (body.data?.totals.placed ?? 0), 0) === placed && named?.length === zoneNames.length;
    }, 30_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await publisher?.close();
    await gateway?.stop();
    await Promise.all([analytics?.stop(), users?.stop()]);
  }, 30_000);

  it('when an analyst signs in through the gateway, then the tiles, charts, store and zone tables show the data, with no browser error', async () => {
    // An account an admin made analyst (user-service keeps the new role) signs in on the page itself.
    const admin = await users.admin();
    const person = await users.customer();
    const promoted = await users
      .api()
      .patch(`/api/v1/users/${person.userId}/role`)
      .set('authorization', admin.bearer)
      .send({ role: 'analyst' });
    expect(promoted.status).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => void (message.type() === 'error' && problems.push(`console: ${message.text()}`)));
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request: ${request.url()} ${request.failure()?.errorText}`));

    const response = await page.goto(`${gateway.url}/api/v1/analytics/dashboard`);
    expect(response?.status()).toBe(200);
    await page.fill('#email', person.email);
    await page.fill('#password', person.password);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('body[data-loaded="1"]', { timeout: 20_000 });

    const charts = await page.evaluate(() => {
      const { Chart, document } = globalThis as unknown as InPage;
      return [...document.querySelectorAll('canvas')].map((canvas) => {
        const points = Chart.getChart(canvas)?.data.datasets.flatMap((d) => d.data) ?? [];
        return {
          id: canvas.id,
          drawn: !!Chart.getChart(canvas) && canvas.width > 0,
          total: points.reduce<number>((sum, v) => sum + (v ?? 0), 0),
        };
      });
    });
    expect(charts).toHaveLength(8);
    for (const chart of charts) expect(chart).toEqual({ id: chart.id, drawn: true, total: expect.any(Number) });
    // Every chart has something to draw from the seeded events.
    expect(charts.filter((c) => c.total > 0).map((c) => c.id)).toEqual(charts.map((c) => c.id));

    const gmv = await page.textContent('[data-kpi="GMV (delivered)"] .value');
    expect(gmv).toMatch(/^₹[1-9][\d,]*$/);
    const storeRows = await page.$$eval('#stores tbody tr', (rows) => rows.map((r) => r.firstElementChild?.textContent));
    expect(storeRows).toEqual(expect.arrayContaining(stores));
    // The zone table beside it: each zone by name (by id when never announced) with the store that
    // served it (ids: no store names here).
    const zoneRows = await page.$$eval('#zones tbody tr', (rows) =>
      rows.map((r) => [...r.children].slice(0, 3).map((cell) => cell.textContent)),
    );
    expect(zoneRows.map(([zone, store]) => [zone, store]).sort()).toEqual(
      [
        [zoneNames[0], stores[0]],
        [zoneNames[1], stores[0]],
        [zones[2], stores[1]],
      ].sort(),
    );
    for (const [, , placed] of zoneRows) expect(Number(placed)).toBeGreaterThan(0);

    // Refresh reads again without drawing the charts anew.
    await page.click('#refresh');
    await page.waitForSelector('body[data-loaded="2"]', { timeout: 20_000 });

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('when a customer signs in on the page, then it says analytics is for analysts and shows no data', async () => {
    const person = await users.customer();
    const page = await browser.newPage();
    await page.goto(`${gateway.url}/api/v1/analytics/dashboard`);
    await page.fill('#email', person.email);
    await page.fill('#password', person.password);
    await page.click('#sign-in button[type=submit]');
    await page.waitForFunction(() => (globalThis as unknown as InPage).document.querySelector('#sign-in-error')?.textContent !== '');
    expect(await page.textContent('#sign-in-error')).toContain('analysts and admins only');
    expect(await page.isHidden('#dashboard')).toBe(true);
    await page.close();
  }, 30_000);
});
