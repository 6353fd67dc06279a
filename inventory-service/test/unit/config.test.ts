import { configProblems } from '@qc/shared/testing';
import { inventoryConfig } from '../../src/config';

describe('inventory config', () => {
  it('when nothing is set, then reservations are held 10 minutes and store hours are read in Asia/Kolkata', () => {
    expect(inventoryConfig({})).toEqual({
      RESERVATION_TTL_SECONDS: 600,
      RESERVATION_SWEEP_INTERVAL_MS: 5_000,
      RESERVATION_SWEEP_BATCH: 100,
      STORE_TIMEZONE: 'Asia/Kolkata',
    });
  });

  it('when values are bad, then every problem is named', () => {
    const problems = configProblems(() => inventoryConfig({ RESERVATION_TTL_SECONDS: '0', STORE_TIMEZONE: 'Mars/Olympus' }));
    expect(problems).toEqual([
      expect.stringMatching(/^RESERVATION_TTL_SECONDS/),
      expect.stringMatching(/^STORE_TIMEZONE: must be an IANA/),
    ]);
  });
});
