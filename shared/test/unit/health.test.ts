import express from 'express';
import request from 'supertest';
import { evaluate, healthRouter, type HealthCheck } from '@qc/shared/health';

const passing = (name: string, observed?: { observedValue: number; observedUnit: string }): HealthCheck => ({
  name,
  check: async () => observed,
});
const failing = (name: string, message: string, critical?: boolean): HealthCheck => ({
  name,
  ...(critical === undefined ? {} : { critical }),
  check: async () => {
    throw new Error(message);
  },
});

describe('evaluate', () => {
  it('when every check passes, then the service passes and each check reports its observation', async () => {
    const report = await evaluate('order-service', [
      passing('mysql:connection'),
      passing('kafka:connection', { observedValue: 3, observedUnit: 'brokers' }),
    ]);
    expect(report.status).toBe('pass');
    expect(report.serviceId).toBe('order-service');
    expect(report.checks['mysql:connection']).toEqual([{ status: 'pass', time: expect.any(String) }]);
    expect(report.checks['kafka:connection']).toEqual([
      { status: 'pass', time: expect.any(String), observedValue: 3, observedUnit: 'brokers' },
    ]);
  });

  it('when a critical check fails, then the service fails and the check says why', async () => {
    const report = await evaluate('order-service', [
      passing('redis:connection'),
      failing('mysql:connection', 'ECONNREFUSED 127.0.0.1:3306'),
    ]);
    expect(report.status).toBe('fail');
    expect(report.checks['mysql:connection']?.[0]).toMatchObject({ status: 'fail', output: 'ECONNREFUSED 127.0.0.1:3306' });
    expect(report.checks['redis:connection']?.[0]?.status).toBe('pass');
  });

  it('when a non-critical check fails, then the service only warns', async () => {
    const report = await evaluate('order-service', [passing('mysql:connection'), failing('outbox:backlog', 'count failed', false)]);
    expect(report.status).toBe('warn');
    expect(report.checks['outbox:backlog']?.[0]).toMatchObject({ status: 'warn', output: 'count failed' });
  });

  it('when a check reports warn itself, then the service warns', async () => {
    const report = await evaluate('order-service', [
      passing('mysql:connection'),
      { name: 'outbox:backlog', check: async () => ({ observedValue: 20_000, observedUnit: 'events', status: 'warn' }) },
    ]);
    expect(report.status).toBe('warn');
    expect(report.checks['outbox:backlog']?.[0]).toMatchObject({ status: 'warn', observedValue: 20_000 });
  });

  it('when one check warns and another fails, then fail wins', async () => {
    const report = await evaluate('order-service', [failing('outbox:backlog', 'x', false), failing('mysql:connection', 'y')]);
    expect(report.status).toBe('fail');
  });

  it('when there are no checks, then the service passes', async () => {
    expect((await evaluate('order-service', [])).status).toBe('pass');
  });

  it('when a check never answers, then it fails on its timeout instead of hanging the probe', async () => {
    const started = Date.now();
    const report = await evaluate('order-service', [
      passing('redis:connection'),
      { name: 'mysql:connection', check: () => new Promise(() => {}) },
    ]);
    const took = Date.now() - started;
    expect(report.status).toBe('fail');
    expect(report.checks['mysql:connection']?.[0]).toMatchObject({ status: 'fail', output: expect.stringMatching(/no answer within/) });
    expect(took).toBeGreaterThanOrEqual(1_900);
    expect(took).toBeLessThan(4_000);
  }, 10_000);

  it('when a check throws synchronously, then it fails instead of breaking the report', async () => {
    const report = await evaluate('order-service', [
      {
        name: 'mysql:connection',
        check: () => {
          throw new Error('pool destroyed');
        },
      },
    ]);
    expect(report.checks['mysql:connection']?.[0]).toMatchObject({ status: 'fail', output: 'pool destroyed' });
  });
});

describe('healthRouter', () => {
  const appWith = (checks: HealthCheck[]) => express().use(healthRouter('cart-service', checks));

  it('when asked if live, then it answers 200 without running any check', async () => {
    const check = jest.fn(async () => {
      throw new Error('database down');
    });
    const res = await request(appWith([{ name: 'mysql:connection', check }])).get('/health/live');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/health\+json/);
    expect(JSON.parse(res.text)).toEqual({ status: 'pass', serviceId: 'cart-service' });
    expect(check).not.toHaveBeenCalled();
  });

  it.each(['/health/ready', '/health'])('when %s is asked and a critical check fails, then it answers 503 health+json', async (path) => {
    const res = await request(appWith([passing('redis:connection'), failing('mysql:connection', 'down')])).get(path);
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/health\+json/);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(res.text);
    expect(body).toMatchObject({ status: 'fail', serviceId: 'cart-service' });
    expect(body.checks['mysql:connection'][0]).toMatchObject({ status: 'fail', output: 'down' });
  });

  it('when only a non-critical check fails, then ready answers 200 with warn', async () => {
    const res = await request(appWith([passing('mysql:connection'), failing('outbox:backlog', 'slow', false)])).get('/health/ready');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).status).toBe('warn');
  });

  it('when every check passes, then ready answers 200 pass and ran each check once', async () => {
    const check = jest.fn(async () => undefined);
    const res = await request(appWith([{ name: 'mysql:connection', check }])).get('/health/ready');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).status).toBe('pass');
    expect(check).toHaveBeenCalledTimes(1);
  });
});
