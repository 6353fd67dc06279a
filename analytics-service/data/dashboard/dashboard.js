// The analytics dashboard (issue 16): signs the analyst in through the gateway, keeps the tokens in
// memory only (never in storage a script of another page could read), and draws the rollups of
// GET /api/v1/analytics/... with Chart.js. Plain browser JavaScript: nothing to build.
/* global document, window, fetch, URL, URLSearchParams, Option, setInterval, clearInterval, setTimeout -- the browser's */
'use strict';

(() => {
  const API = '/api/v1';
  const REFRESH_MS = 30_000;
  const session = { accessToken: null, refreshToken: null, expiresAt: 0 };
  const charts = {};
  let timer = null;

  const $ = (id) => document.getElementById(id);
  const rupees = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR', maximumFractionDigits: 0 });
  const money = (paise) => (paise === null || paise === undefined ? '–' : rupees.format(paise / 100));
  const percent = (rate) => (rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(1)} %`);
  const minutes = (value) => (value === null || value === undefined ? '–' : `${value.toFixed(1)} min`);
  const number = (value) => (value === null || value === undefined ? '–' : value.toLocaleString('en-IN'));
  const colors = ['#1a5fb4', '#26a269', '#e5a50a', '#c01c28', '#813d9c', '#63452c', '#0b7a75', '#9a9996'];

  async function signIn(email, password) {
    const res = await fetch(`${API}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error || `Sign-in failed (${res.status})`);
    const role = body.data.user && body.data.user.role;
    if (role !== 'analyst' && role !== 'admin') throw new Error('This account may not read analytics (analysts and admins only)');
    keepTokens(body.data);
    $('who').textContent = `${body.data.user.email || ''} (${role})`;
  }

  function keepTokens(data) {
    session.accessToken = data.accessToken;
    session.refreshToken = data.refreshToken;
    session.expiresAt = Date.now() + data.expiresIn * 1000;
  }

  /** A fresh access token: refreshed a minute before it runs out, with the rotating refresh token. */
  async function accessToken() {
    if (Date.now() < session.expiresAt - 60_000) return session.accessToken;
    const res = await fetch(`${API}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: session.refreshToken }),
    });
    if (!res.ok) {
      signOut('Your session ended: sign in again');
      throw new Error('session ended');
    }
    keepTokens((await res.json()).data);
    return session.accessToken;
  }

  function signOut(message) {
    session.accessToken = session.refreshToken = null;
    clearInterval(timer);
    $('dashboard').hidden = true;
    $('sign-in').hidden = false;
    $('sign-in-error').textContent = message || '';
  }

  function filters(extra) {
    const span = $('window').value;
    const to = new Date();
    const hours = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30 }[span];
    const from = new Date(to.getTime() - hours * 3_600_000);
    const query = new URLSearchParams({
      from: from.toISOString(),
      to: to.toISOString(),
      granularity: span === '24h' ? 'hour' : 'day',
      ...extra,
    });
    if ($('store').value) query.set('storeId', $('store').value);
    return query;
  }

  async function read(metric, extra = {}) {
    const res = await fetch(`${API}/analytics/${metric}?${filters(extra)}`, {
      headers: { authorization: `Bearer ${await accessToken()}` },
    });
    if (res.status === 401) {
      signOut('Your session ended: sign in again');
      throw new Error('session ended');
    }
    const body = await res.json();
    if (!res.ok) throw new Error(body.error || `${metric}: ${res.status}`);
    return body.data;
  }

  async function exportCsv(metric) {
    const res = await fetch(`${API}/analytics/${metric}/export?${filters()}`, {
      headers: { authorization: `Bearer ${await accessToken()}` },
    });
    if (!res.ok) return void ($('load-error').textContent = `Export failed (${res.status})`);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await res.blob());
    link.download = `${metric}.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1_000);
  }

  const label = (bucket) => {
    const at = new Date(bucket);
    return $('window').value === '24h'
      ? at.toLocaleTimeString('en-IN', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })
      : at.toLocaleDateString('en-IN', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  };

  /** Draws a chart, or updates the one already on the canvas (no flicker on auto-refresh). */
  function draw(id, config) {
    if (charts[id]) {
      charts[id].data = config.data;
      charts[id].update('none');
      return;
    }
    charts[id] = new window.Chart($(id), {
      ...config,
      options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options },
    });
  }

  function tiles(totals) {
    const figures = [
      ['GMV (delivered)', money(totals.gmv)],
      ['Orders placed', number(totals.ordersPlaced)],
      ['Orders delivered', number(totals.ordersDelivered)],
      ['Average order value', money(totals.averageOrderValue)],
      ['Cancellation rate', percent(totals.cancellationRate)],
      ['Payment success', percent(totals.paymentSuccessRate)],
      ['Refunded', money(totals.refunded)],
      ['Delivery p50 / p90', `${minutes(totals.deliveryP50Minutes)} / ${minutes(totals.deliveryP90Minutes)}`],
      ['SLA breaches', percent(totals.slaBreachRate)],
      ['New / returning customers', `${number(totals.newCustomers)} / ${number(totals.returningCustomers)}`],
      ['Stock-outs', number(totals.stockOuts)],
    ];
    $('tiles').replaceChildren(
      ...figures.map(([name, value]) => {
        const tile = document.createElement('div');
        tile.className = 'card tile';
        tile.dataset.kpi = name;
        const caption = document.createElement('span');
        caption.className = 'label';
        caption.textContent = name;
        const figure = document.createElement('span');
        figure.className = 'value';
        figure.textContent = value;
        tile.append(caption, figure);
        return tile;
      }),
    );
  }

  /** Fills a table's body with one row of cells (text) per row. */
  function fillTable(id, rows, cells) {
    $(id).tBodies[0].replaceChildren(
      ...rows.map((r) => {
        const tr = document.createElement('tr');
        for (const value of cells(r)) {
          const td = document.createElement('td');
          td.textContent = value;
          tr.append(td);
        }
        return tr;
      }),
    );
  }

  /** What a store's and a zone's rows both show: orders, GMV, AOV, cancellations, delivery time, SLA. */
  const orderCells = (r) => [
    number(r.placed),
    number(r.delivered),
    money(r.gmv),
    money(r.averageOrderValue),
    `${number(r.cancelled)} (${percent(r.cancellationRate)})`,
    minutes(r.deliveryP50Minutes),
    percent(r.slaBreachRate),
  ];

  function zoneTable(rows) {
    fillTable('zones', rows, (r) => [r.zone || r.zoneId, r.store || r.storeId, ...orderCells(r)]);
  }

  function storeTable(rows) {
    fillTable('stores', rows, (r) => [r.store || r.storeId, ...orderCells(r), number(r.stockOuts)]);
    const select = $('store');
    const chosen = select.value;
    for (const r of rows) {
      if (![...select.options].some((o) => o.value === r.storeId)) select.add(new Option(r.store || r.storeId, r.storeId));
    }
    select.value = chosen;
  }

  async function load() {
    try {
      const [overview, orders, funnel, delivery, customers, payments, cancellations, products, notifications, stores, zones] =
        await Promise.all([
          read('overview'),
          read('orders'),
          read('funnel'),
          read('delivery-times'),
          read('customers'),
          read('payments'),
          read('cancellations'),
          read('products', { limit: '10' }),
          read('notifications'),
          read('stores'),
          read('zones'),
        ]);
      tiles(overview.totals);
      const buckets = orders.rows.map((r) => label(r.bucket));
      draw('chart-orders', {
        type: 'bar',
        data: {
          labels: buckets,
          datasets: [
            { type: 'bar', label: 'Placed', data: orders.rows.map((r) => r.placed), backgroundColor: colors[0], yAxisID: 'orders' },
            { type: 'bar', label: 'Delivered', data: orders.rows.map((r) => r.delivered), backgroundColor: colors[1], yAxisID: 'orders' },
            {
              type: 'line',
              label: 'GMV (₹)',
              data: orders.rows.map((r) => r.gmv / 100),
              borderColor: colors[2],
              backgroundColor: colors[2],
              yAxisID: 'gmv',
            },
          ],
        },
        options: {
          scales: {
            orders: { position: 'left', beginAtZero: true },
            gmv: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } },
          },
        },
      });
      draw('chart-funnel', {
        type: 'bar',
        data: {
          labels: funnel.rows.map(
            (r) => `${r.stage.replace('_', ' ')}${r.conversionFromPrevious === null ? '' : ` (${percent(r.conversionFromPrevious)})`}`,
          ),
          datasets: [{ label: 'Customers', data: funnel.rows.map((r) => r.customers), backgroundColor: colors.slice(0, 4) }],
        },
        options: { indexAxis: 'y', plugins: { legend: { display: false } } },
      });
      draw('chart-delivery', {
        type: 'line',
        data: {
          labels: delivery.rows.map((r) => label(r.bucket)),
          datasets: [
            {
              label: 'p50',
              data: delivery.rows.map((r) => r.p50Minutes),
              borderColor: colors[0],
              backgroundColor: colors[0],
              spanGaps: true,
            },
            {
              label: 'p90',
              data: delivery.rows.map((r) => r.p90Minutes),
              borderColor: colors[3],
              backgroundColor: colors[3],
              spanGaps: true,
            },
            {
              label: 'Promised (p50)',
              data: delivery.rows.map((r) => r.promisedP50Minutes),
              borderColor: colors[7],
              borderDash: [6, 4],
              spanGaps: true,
            },
          ],
        },
        options: { scales: { y: { beginAtZero: true } } },
      });
      draw('chart-customers', {
        type: 'bar',
        data: {
          labels: customers.rows.map((r) => label(r.bucket)),
          datasets: [
            { label: 'New', data: customers.rows.map((r) => r.newCustomers), backgroundColor: colors[1] },
            { label: 'Returning', data: customers.rows.map((r) => r.returning), backgroundColor: colors[0] },
          ],
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
      });
      draw('chart-payments', {
        type: 'bar',
        data: {
          labels: payments.rows.map((r) => `${r.method} (${percent(r.successRate)})`),
          datasets: [
            { label: 'Succeeded', data: payments.rows.map((r) => r.succeeded), backgroundColor: colors[1] },
            { label: 'Failed', data: payments.rows.map((r) => r.failed), backgroundColor: colors[3] },
          ],
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
      });
      draw('chart-cancellations', {
        type: 'doughnut',
        data: {
          labels: cancellations.rows.map((r) => r.reason),
          datasets: [{ data: cancellations.rows.map((r) => r.cancelled), backgroundColor: colors }],
        },
      });
      draw('chart-products', {
        type: 'bar',
        data: {
          labels: products.rows.map((r) => r.name || r.productId.slice(0, 8)),
          datasets: [{ label: 'Units', data: products.rows.map((r) => r.units), backgroundColor: colors[4] }],
        },
        options: { indexAxis: 'y', plugins: { legend: { display: false } } },
      });
      draw('chart-notifications', {
        type: 'bar',
        data: {
          labels: notifications.rows.map((r) => label(r.bucket)),
          datasets: ['email', 'sms', 'push'].map((channel, i) => ({
            label: channel,
            data: notifications.rows.map((r) => r[channel]),
            backgroundColor: colors[i + 4],
          })),
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
      });
      storeTable(stores.rows);
      zoneTable(zones.rows);
      $('updated').textContent = `Updated ${new Date().toLocaleTimeString('en-IN')}`;
      $('load-error').textContent = '';
      document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
    } catch (err) {
      if (err.message !== 'session ended') $('load-error').textContent = `Could not load: ${err.message}`;
    }
  }

  function schedule() {
    clearInterval(timer);
    if ($('auto-refresh').checked) timer = setInterval(load, REFRESH_MS);
  }

  $('sign-in').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('sign-in-error').textContent = '';
    try {
      await signIn($('email').value, $('password').value);
      $('password').value = '';
      $('sign-in').hidden = true;
      $('dashboard').hidden = false;
      await load();
      schedule();
    } catch (err) {
      $('sign-in-error').textContent = err.message;
    }
  });
  $('window').addEventListener('change', load);
  $('store').addEventListener('change', load);
  $('refresh').addEventListener('click', load);
  $('auto-refresh').addEventListener('change', schedule);
  for (const button of document.querySelectorAll('[data-export]')) button.addEventListener('click', () => exportCsv(button.dataset.export));
})();
