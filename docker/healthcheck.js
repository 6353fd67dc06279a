// Container health probe: slim images have no curl, so node's own fetch asks the service.
// Usage: node docker/healthcheck.js [/health/live | /health/ready]   (exit 0 healthy, 1 not)
// The port is PORT, or the service's port in the fleet manifest, as the service itself decides.
/* global fetch, AbortSignal */
'use strict';

const { serviceSpec } = require('../shared/dist/fleet');

const path = process.argv[2] ?? '/health/live';
const port = process.env.PORT || serviceSpec(process.env.SERVICE ?? '').port;

fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4_000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
