/**
 * The baseline: Express 5 and http-proxy-middleware with a keep-alive agent, nothing else — what
 * a gateway costs before it does anything a gateway is for. With BUSY_US, the same proxy first
 * busy-waits that many microseconds per request: a calibration of what a given amount of added
 * work costs in throughput on the machine at hand.
 */
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

const target = process.env.UPSTREAM_URL!;
const busyMs = Number(process.env.BUSY_US ?? 0) / 1000;
const app = express();
if (busyMs > 0) {
  app.use((_req, _res, next) => {
    const until = performance.now() + busyMs;
    while (performance.now() < until);
    next();
  });
}
app.use(createProxyMiddleware({ target, agent: new Agent({ keepAlive: true }) }));
const server = app.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
