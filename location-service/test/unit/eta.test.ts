import { DEFAULT_ETA_MODEL, estimateEtaMinutes } from '../../src/domain/eta';

describe('estimateEtaMinutes', () => {
  it('when the customer is at the store, then it is preparation plus the partner wait', () => {
    expect(estimateEtaMinutes(0, 4, DEFAULT_ETA_MODEL)).toBe(6);
  });

  it('when 2.5 km away with the defaults, then travel is 2.5 × 1.4 / 20 h = 10.5 min and the total rounds up', () => {
    // 4 + 2 + 10.5 = 16.5 → 17
    expect(estimateEtaMinutes(2.5, 4, DEFAULT_ETA_MODEL)).toBe(17);
  });

  it('when the total is a whole number up to float noise, then no extra minute is added', () => {
    // 1.6 km × 1.5 / 18 km/h is 8 minutes exactly, but 8.000000000000002 in floating point
    expect(((1.6 * 1.5) / 18) * 60).toBeGreaterThan(8);
    expect(estimateEtaMinutes(1.6, 0, { roadFactor: 1.5, riderSpeedKmh: 18, partnerWaitMinutes: 0 })).toBe(8);
  });

  it('when any part is a fraction over, then a whole minute is added', () => {
    expect(estimateEtaMinutes(0.01, 4, DEFAULT_ETA_MODEL)).toBe(7);
  });

  it('when the model changes, then each factor counts', () => {
    const model = { roadFactor: 1, riderSpeedKmh: 30, partnerWaitMinutes: 5 };
    // 3 km at 30 km/h = 6 min; + 2 prep + 5 wait = 13
    expect(estimateEtaMinutes(3, 2, model)).toBe(13);
    expect(estimateEtaMinutes(3, 2, { ...model, roadFactor: 2 })).toBe(19);
  });
});
