import { loadConfig } from '@qc/shared/config';
import { configProblems } from '@qc/shared/testing';
import { InventoryConfig } from '../../src/config';

describe('inventory config', () => {
  const load = (env: NodeJS.ProcessEnv) => loadConfig(InventoryConfig, env);

  it('when nothing is set, then reservations are held 10 minutes and store hours are read in Asia/Kolkata', () => {
    expect(load({})).toEqual({
      RESERVATION_TTL_SECONDS: 600,
      RESERVATION_SWEEP_INTERVAL_MS: 5_000,
      RESERVATION_SWEEP_BATCH: 100,
      STORE_TIMEZONE: 'Asia/Kolkata',
    });
  });

  it('when values are bad, then every problem is named', () => {
    const problems = configProblems(() => load({ RESERVATION_TTL_SECONDS: '0', STORE_TIMEZONE: 'Mars/Olympus' }));
    expect(problems).toEqual([
      expect.stringMatching(/^RESERVATION_TTL_SECONDS/),
      expect.stringMatching(/^STORE_TIMEZONE: must be an IANA/),
    ]);
  });

  it('when the sweep interval is longer than a day, then it is refused rather than left for Node to turn into 1 ms', () => {
    expect(load({ RESERVATION_SWEEP_INTERVAL_MS: '86400000' }).RESERVATION_SWEEP_INTERVAL_MS).toBe(86_400_000);
    expect(configProblems(() => load({ RESERVATION_SWEEP_INTERVAL_MS: String(2 ** 31) }))).toEqual([
      expect.stringMatching(/^RESERVATION_SWEEP_INTERVAL_MS/),
    ]);
  });
});
