import { createServer, request as httpRequest, Agent, type Server } from 'node:http';
import { connect as connectTcp, type AddressInfo } from 'node:net';
import { memoryLogger } from '@qc/shared/testing';
import { Shutdown, closeServer } from '@qc/shared/runtime';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Shutdown', () => {
  it('when run, then the steps run one after another in the order they were added', async () => {
    const { logger } = memoryLogger('runtime-test');
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => {
      log.push(`${name}:start`);
      await sleep(ms);
      log.push(`${name}:end`);
    };
    await new Shutdown(logger, 5_000)
      .add('http', step('http', 30))
      .add('consumer', step('consumer', 5))
      .add('mysql', step('mysql', 1))
      .run();
    expect(log).toEqual(['http:start', 'http:end', 'consumer:start', 'consumer:end', 'mysql:start', 'mysql:end']);
  });

  it('when a step fails, then the later steps still run and the failure is logged with its step', async () => {
    const { logger, lines } = memoryLogger('runtime-test');
    const ran: string[] = [];
    await new Shutdown(logger, 5_000)
      .add('consumer', async () => {
        ran.push('consumer');
        throw new Error('broker gone');
      })
      .add('sync failure', () => {
        ran.push('sync failure');
        throw new Error('already closed');
      })
      .add('mysql', () => void ran.push('mysql'))
      .run();
    expect(ran).toEqual(['consumer', 'sync failure', 'mysql']);
    const failures = lines().filter((l) => l.msg === 'shutdown step failed');
    expect(failures.map((l) => l.step)).toEqual(['consumer', 'sync failure']);
    expect(failures[0]).toMatchObject({ level: 'error', err: { message: 'broker gone' } });
  });

  it('when run twice (SIGTERM then SIGINT), then each step runs once and both callers wait for the same end', async () => {
    const { logger } = memoryLogger('runtime-test');
    let runs = 0;
    const shutdown = new Shutdown(logger, 5_000).add('slow', async () => {
      runs++;
      await sleep(20);
    });
    const first = shutdown.run();
    const second = shutdown.run();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await shutdown.run();
    expect(runs).toBe(1);
  });

  it('when a step hangs past the deadline, then the process is made to exit with 1', async () => {
    const { logger, lines } = memoryLogger('runtime-test');
    // Exiting for real would end the test run: intercept it, this is the one thing it must do.
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    try {
      void new Shutdown(logger, 50).add('stuck', () => new Promise(() => {})).run();
      await sleep(200);
      expect(exit).toHaveBeenCalledWith(1);
      expect(lines().some((l) => l.msg === 'shutdown deadline passed; exiting')).toBe(true);
    } finally {
      exit.mockRestore();
    }
  });

  it('when the steps finish before the deadline, then the process is not made to exit', async () => {
    const { logger } = memoryLogger('runtime-test');
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    try {
      await new Shutdown(logger, 50).add('quick', () => sleep(1)).run();
      await sleep(100);
      expect(exit).not.toHaveBeenCalled();
    } finally {
      exit.mockRestore();
    }
  });
});

describe('closeServer', () => {
  let server: Server;
  let port: number;
  let agent: Agent;
  let requestArrived: () => void;

  /** A server whose `/slow` takes 300 ms to answer, like a request in flight at SIGTERM. */
  beforeEach(async () => {
    agent = new Agent({ keepAlive: true });
    server = createServer((req, res) => {
      requestArrived?.();
      const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end(`done ${req.url}`);
      // Anything but /slow is answered synchronously, as an Express route often is.
      if (req.url === '/slow') setTimeout(answer, 300);
      else answer();
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(() => {
    agent.destroy();
    server.closeAllConnections();
  });

  const get = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
        .on('error', reject)
        .end();
    });

  it('when closed during a request, then that request still gets its full answer and new connections are refused', async () => {
    const arrived = new Promise<void>((resolve) => (requestArrived = resolve));
    const inFlight = get('/slow');
    await arrived;
    const closing = closeServer(server);
    const started = Date.now();
    await expect(inFlight).resolves.toEqual({ status: 200, body: 'done /slow' });
    await closing;
    // Answered, then closed at once: not held open for the 65 s keep-alive timeout.
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.listening).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/fast`)).rejects.toThrow();
  });

  it('when a client sends another request on its connection while closing, then it is answered with Connection: close', async () => {
    const arrived = new Promise<void>((resolve) => (requestArrived = resolve));
    const socket = connectTcp(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    const ended = new Promise((resolve) => socket.once('close', resolve));
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await arrived;
    const closing = closeServer(server);
    socket.write('GET /second HTTP/1.1\r\nHost: x\r\n\r\n');
    await closing;
    await ended;
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toContain('done /slow');
    expect(answers[1]).toContain('done /second');
    expect(answers[1]).toMatch(/\r\nConnection: close\r\n/i);
  });

  it('when only idle keep-alive connections remain, then closing does not wait for their timeout', async () => {
    await expect(get('/fast')).resolves.toMatchObject({ status: 200 });
    const started = Date.now();
    await closeServer(server);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
