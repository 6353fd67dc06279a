/**
 * The baseline: Express 5 and http-proxy-middleware with a keep-alive agent, nothing else — what
 * a gateway costs before it does anything a gateway is for.
 */
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

const target = process.env.UPSTREAM_URL!;
const app = express();
app.use(createProxyMiddleware({ target, agent: new Agent({ keepAlive: true }) }));
const server = app.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
