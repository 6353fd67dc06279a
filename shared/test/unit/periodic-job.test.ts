import { PeriodicJob, type PeriodicJobOptions } from '@qc/shared/service';
import { memoryLogger } from '@qc/shared/testing';

/** A round the test finishes when it chooses, answering the count it is given. */
interface HeldRound {
  finish(found?: number): void;
  fail(err: Error): void;
}

/**
 * The loop behind every background job, on fake timers: when rounds run (ticks, wakes, at start),
 * that they never overlap, that a backlog drains without waiting for ticks, that a failed round is
 * logged and retried, and what `stop` waits for.
 */
describe('PeriodicJob', () => {
  const INTERVAL = 1_000;
  let jobs: PeriodicJob[];
  let held: HeldRound[];

  beforeEach(() => {
    jest.useFakeTimers();
    jobs = [];
    held = [];
  });

  afterEach(async () => {
    const stopped = Promise.all(jobs.map((job) => job.stop()));
    for (const round of held) round.finish(0);
    await stopped;
    jest.useRealTimers();
  });

  /** A job whose rounds are held until the test finishes them; `rounds` lists them in the order they began. */
  function heldJob(options: Partial<PeriodicJobOptions> = {}) {
    const rounds: HeldRound[] = [];
    let active = 0;
    let mostAtOnce = 0;
    const { logger, lines } = memoryLogger('periodic-job-test');
    const job = new PeriodicJob({
      name: 'test-job',
      logger,
      intervalMs: INTERVAL,
      round: () =>
        new Promise<number>((resolve, reject) => {
          active += 1;
          mostAtOnce = Math.max(mostAtOnce, active);
          let ended = false;
          const end = () => {
            if (!ended) active -= 1;
            ended = true;
          };
          const round: HeldRound = { finish: (found = 0) => (end(), resolve(found)), fail: (err) => (end(), reject(err)) };
          rounds.push(round);
          held.push(round);
        }),
      ...options,
    });
    jobs.push(job);
    return { job, rounds, lines, mostAtOnce: () => mostAtOnce };
  }

  /** Lets the job's promise callbacks run (no timer moves). */
  const settle = () => jest.advanceTimersByTimeAsync(0);

  it('when started, then the first round comes at the first tick and one comes at every tick after', async () => {
    const { job, rounds } = heldJob();
    job.start();
    await jest.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(rounds).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(rounds).toHaveLength(1);
    rounds[0]!.finish(0);
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(rounds).toHaveLength(2);
  });

  it('when it is to run a round at start, then the first round runs at once', async () => {
    const { job, rounds } = heldJob({ roundAtStart: true });
    job.start();
    await settle();
    expect(rounds).toHaveLength(1);
  });

  it('when rounds report work, then the next follows at once until one reports none, and then it waits for a tick', async () => {
    const { job, rounds } = heldJob({ roundAtStart: true });
    job.start();
    await settle();
    rounds[0]!.finish(100);
    await settle();
    expect(rounds).toHaveLength(2);
    rounds[1]!.finish(3);
    await settle();
    expect(rounds).toHaveLength(3);
    rounds[2]!.finish(0);
    await jest.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(rounds).toHaveLength(3);
  });

  it('when a round reports nothing, then it is the tick’s only round', async () => {
    const calls: number[] = [];
    const { logger } = memoryLogger('periodic-job-test');
    const job = new PeriodicJob({ name: 'flush', logger, intervalMs: INTERVAL, round: async () => void calls.push(Date.now()) });
    jobs.push(job);
    job.start();
    await jest.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(calls).toHaveLength(3);
  });

  it('when ticks come while a round runs, then no second round starts beside it and the missed ticks are not made up', async () => {
    const { job, rounds, mostAtOnce } = heldJob();
    job.start();
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(rounds).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(5 * INTERVAL);
    expect(rounds).toHaveLength(1);
    rounds[0]!.finish(0);
    await settle();
    expect(rounds).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(rounds).toHaveLength(2);
    expect(mostAtOnce()).toBe(1);
  });

  it('when woken, then a round runs at once; woken during a round, one more runs right after it (never two at once)', async () => {
    const { job, rounds, mostAtOnce } = heldJob();
    job.start();
    job.wake();
    await settle();
    expect(rounds).toHaveLength(1);
    job.wake();
    job.wake();
    await settle();
    expect(rounds).toHaveLength(1);
    rounds[0]!.finish(0);
    await settle();
    expect(rounds).toHaveLength(2);
    rounds[1]!.finish(0);
    await settle();
    expect(rounds).toHaveLength(2);
    expect(mostAtOnce()).toBe(1);
  });

  it('when a round fails, then the failure is logged with the job’s name and the next tick runs a round again', async () => {
    const { job, rounds, lines } = heldJob({ roundAtStart: true });
    job.start();
    await settle();
    rounds[0]!.fail(new Error('Deadlock found when trying to get lock'));
    await settle();
    const failure = lines().find((line) => line.msg === 'test-job round failed');
    expect(failure).toMatchObject({ level: 'error', job: 'test-job', err: { message: 'Deadlock found when trying to get lock' } });
    expect(rounds).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(rounds).toHaveLength(2);
  });

  it('when stopped during a round, then stop waits for that round only, and neither ticks nor wakes start another', async () => {
    const { job, rounds } = heldJob({ roundAtStart: true });
    job.start();
    await settle();
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    // It reports a backlog: a running job would go again at once; a stopping one ends here.
    rounds[0]!.finish(100);
    await stopping;
    expect(stopped).toBe(true);
    job.wake();
    await jest.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(rounds).toHaveLength(1);
  });

  it('when started again after a stop, then it runs rounds again', async () => {
    const { job, rounds } = heldJob();
    job.start();
    await job.stop();
    await jest.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(rounds).toHaveLength(0);
    job.start();
    await jest.advanceTimersByTimeAsync(INTERVAL);
    expect(rounds).toHaveLength(1);
  });
});
