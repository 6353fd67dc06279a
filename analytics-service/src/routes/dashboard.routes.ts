import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Router } from 'express';
import { answers, createRoutes, defineRoute, type Routes } from '@qc/shared/http';

/** The page and its assets: `data/dashboard` beside src/ and dist/ (the image ships data/ with dist/). */
const PAGE_DIR = join(__dirname, '..', '..', 'data', 'dashboard');
/** Chart.js's browser build, from the installed package: no copy to keep up to date, nothing to build. */
const CHART_JS = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');

const ASSETS = [
  {
    path: '',
    file: join(PAGE_DIR, 'index.html'),
    type: 'text/html; charset=utf-8',
    summary: 'The analytics dashboard page (it signs the analyst in)',
  },
  {
    path: '/dashboard.js',
    file: join(PAGE_DIR, 'dashboard.js'),
    type: 'text/javascript; charset=utf-8',
    summary: 'The dashboard’s script',
  },
  { path: '/dashboard.css', file: join(PAGE_DIR, 'dashboard.css'), type: 'text/css; charset=utf-8', summary: 'The dashboard’s styles' },
  { path: '/chart.umd.min.js', file: CHART_JS, type: 'text/javascript; charset=utf-8', summary: 'Chart.js, the dashboard’s chart library' },
];

/**
 * `GET /api/v1/analytics/dashboard` and its assets, public: the page holds no data, it signs in
 * and reads the metrics with the analyst's token. Same origin as the API, so the service's
 * Content-Security-Policy (scripts and connections to 'self' only) lets it work as it is.
 */
export function dashboardRoutes({ openapi }: Pick<Routes, 'openapi'>): Router {
  const routes = createRoutes(openapi);
  for (const asset of ASSETS) {
    const body = readFileSync(asset.file);
    defineRoute(routes, {
      method: 'get',
      path: `/api/v1/analytics/dashboard${asset.path}`,
      summary: asset.summary,
      access: 'anyone',
      response: answers.custom(asset.summary, asset.type.split(';')[0]!),
      handler: ({ res }) => {
        // Revalidated on each load, so a deploy shows at once; small enough not to matter.
        res.status(200).type(asset.type).set('cache-control', 'no-cache').send(body);
      },
    });
  }
  return routes.router;
}
