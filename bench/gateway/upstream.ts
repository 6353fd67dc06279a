/**
 * The service behind every proxy in the benchmark: plain Express 5 answering a small JSON body,
 * the kind of answer a catalog read gives. Reports its port to the parent over IPC.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';

const product = {
  success: true,
  data: { id: '0199e7a1-2f4c-7d1e-9a3b-5c6d7e8f9a0b', name: 'Toned milk 1 L', price: { amount: 2900, currency: 'INR' } },
};

const app = express();
app.disable('x-powered-by');
// A public route and one that needs a token (bench/auth compares the two through the gateway).
app.get(['/api/v1/products', '/api/v1/orders'], (_req, res) => void res.json(product));
const server = app.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
// Longer than the proxies' idle sockets, as the real services do.
server.keepAliveTimeout = 65_000;
