import {
  MAX_RING_POSITIONS,
  haversineKm,
  polygonContains,
  polygonProblems,
  ringContains,
  segmentsIntersect,
  type Polygon,
  type Position,
} from '../../src/domain/geometry';

const polygon = (...rings: Position[][]): Polygon => ({ type: 'Polygon', coordinates: rings });
/** A square of side 1 with its lower-left corner at (x, y), counter-clockwise and closed. */
const square = (x = 0, y = 0): Position[] => [
  [x, y],
  [x + 1, y],
  [x + 1, y + 1],
  [x, y + 1],
  [x, y],
];
const at = (lng: number, lat: number) => ({ lng, lat });

describe('haversineKm', () => {
  it('when both points are the same, then the distance is 0', () => {
    expect(haversineKm(at(77.6245, 12.9352), at(77.6245, 12.9352))).toBe(0);
  });

  it('when going from Koramangala to Indiranagar, then it is about 4.5 km', () => {
    expect(haversineKm(at(77.6245, 12.9352), at(77.6412, 12.9719))).toBeCloseTo(4.47, 1);
  });

  it('when going one degree of latitude, then it is about 111.2 km', () => {
    expect(haversineKm(at(0, 0), at(0, 1))).toBeCloseTo(111.19, 1);
  });

  it('when the points are antipodal, then it is half the circumference', () => {
    expect(haversineKm(at(0, 0), at(180, 0))).toBeCloseTo(Math.PI * 6371.0088, 3);
  });

  it('when swapped, then the distance is the same', () => {
    expect(haversineKm(at(77.75, 12.9698), at(77.571, 13.0035))).toBeCloseTo(haversineKm(at(77.571, 13.0035), at(77.75, 12.9698)), 10);
  });
});

describe('point in polygon', () => {
  const ring = square();

  it('when the point is inside, then it is contained', () => {
    expect(ringContains(ring, at(0.5, 0.5))).toBe(true);
  });

  it('when the point is outside, then it is not', () => {
    expect(ringContains(ring, at(1.5, 0.5))).toBe(false);
    expect(ringContains(ring, at(0.5, -0.01))).toBe(false);
  });

  it('when the point is on an edge or a corner, then it counts as inside', () => {
    expect(ringContains(ring, at(1, 0.5))).toBe(true);
    expect(ringContains(ring, at(0, 0))).toBe(true);
  });

  it('when the polygon is concave, then the notch is outside', () => {
    const u: Position[] = [
      [0, 0],
      [3, 0],
      [3, 3],
      [2, 3],
      [2, 1],
      [1, 1],
      [1, 3],
      [0, 3],
      [0, 0],
    ];
    expect(ringContains(u, at(1.5, 2))).toBe(false);
    expect(ringContains(u, at(0.5, 2))).toBe(true);
    expect(ringContains(u, at(1.5, 0.5))).toBe(true);
  });

  it('when the ray passes through a vertex, then the answer is still right', () => {
    const diamond: Position[] = [
      [0, 1],
      [1, 0],
      [2, 1],
      [1, 2],
      [0, 1],
    ];
    expect(ringContains(diamond, at(0.5, 1))).toBe(true);
    expect(ringContains(diamond, at(-0.5, 1))).toBe(false);
    expect(ringContains(diamond, at(2.5, 1))).toBe(false);
  });

  it('when asked about a polygon, then its boundary ring decides', () => {
    expect(polygonContains(polygon(square()), at(0.2, 0.2))).toBe(true);
    expect(polygonContains(polygon(square()), at(2, 2))).toBe(false);
  });
});

describe('segmentsIntersect', () => {
  it('when segments cross, then they intersect', () => {
    expect(segmentsIntersect([0, 0], [2, 2], [0, 2], [2, 0])).toBe(true);
  });

  it('when one ends on the other, then they intersect', () => {
    expect(segmentsIntersect([0, 0], [2, 0], [1, 0], [1, 5])).toBe(true);
  });

  it('when they are collinear and overlap, then they intersect; when collinear and apart, they do not', () => {
    expect(segmentsIntersect([0, 0], [2, 0], [1, 0], [3, 0])).toBe(true);
    expect(segmentsIntersect([0, 0], [1, 0], [2, 0], [3, 0])).toBe(false);
  });

  it('when parallel or apart, then they do not intersect', () => {
    expect(segmentsIntersect([0, 0], [2, 0], [0, 1], [2, 1])).toBe(false);
    expect(segmentsIntersect([0, 0], [1, 1], [2, 0], [3, -5])).toBe(false);
  });
});

describe('polygonProblems', () => {
  it('when the ring is a closed simple square, then there is no problem', () => {
    expect(polygonProblems(polygon(square()))).toEqual([]);
  });

  it('when the ring is a clockwise triangle, then it is valid too (winding is not enforced)', () => {
    expect(
      polygonProblems(
        polygon([
          [0, 0],
          [0, 1],
          [1, 0],
          [0, 0],
        ]),
      ),
    ).toEqual([]);
  });

  it('when the ring is a bow-tie, then it is rejected as self-intersecting', () => {
    const bowTie: Position[] = [
      [0, 0],
      [1, 1],
      [1, 0],
      [0, 1],
      [0, 0],
    ];
    expect(polygonProblems(polygon(bowTie))).toEqual([
      { path: 'coordinates.0.0', message: expect.stringMatching(/edge 0→1 touches or crosses edge 2→3/) },
    ]);
  });

  it('when the ring touches itself at one vertex (a figure eight), then it is rejected', () => {
    const eight: Position[] = [
      [0, 0],
      [1, 0],
      [1, 1],
      [2, 1],
      [2, 2],
      [1, 2],
      [1, 1],
      [0, 1],
      [0, 0],
    ];
    expect(polygonProblems(polygon(eight)).length).toBeGreaterThan(0);
  });

  it('when an edge doubles back over the one before, then it is rejected', () => {
    const fold: Position[] = [
      [0, 0],
      [2, 0],
      [1, 0],
      [1, 1],
      [0, 0],
    ];
    // Edge 1 runs back along edge 0 (a fold), and its end then lies on edge 0 again.
    expect(polygonProblems(polygon(fold))).toEqual([
      { path: 'coordinates.0.0', message: expect.stringMatching(/edge 0→1 touches or crosses edge 1→2/) },
      { path: 'coordinates.0.0', message: expect.stringMatching(/edge 0→1 touches or crosses edge 2→3/) },
    ]);
  });

  it('when the ring is not closed, then the last position is blamed', () => {
    expect(polygonProblems(polygon(square().slice(0, 4)))).toEqual([
      { path: 'coordinates.0.3', message: expect.stringMatching(/not closed/) },
    ]);
  });

  it('when the ring has fewer than 4 positions, then it is rejected', () => {
    expect(
      polygonProblems(
        polygon([
          [0, 0],
          [1, 1],
          [0, 0],
        ]),
      ),
    ).toEqual([{ path: 'coordinates.0', message: expect.stringMatching(/at least 4 positions/) }]);
  });

  it('when a coordinate is out of range, then that position is blamed', () => {
    const ring = square(179.5, 10);
    expect(polygonProblems(polygon(ring))).toEqual([
      { path: 'coordinates.0.1', message: expect.stringMatching(/longitude/) },
      { path: 'coordinates.0.2', message: expect.stringMatching(/longitude/) },
    ]);
    expect(polygonProblems(polygon(square(0, 89.5)))).toHaveLength(2);
  });

  it('when a position repeats the one before it, then it is rejected', () => {
    const ring: Position[] = [
      [0, 0],
      [1, 0],
      [1, 0],
      [1, 1],
      [0, 0],
    ];
    expect(polygonProblems(polygon(ring))).toEqual([{ path: 'coordinates.0.2', message: expect.stringMatching(/repeats/) }]);
  });

  it('when every position is on one line, then it has no area and is rejected', () => {
    const flat: Position[] = [
      [0, 0],
      [1, 1],
      [2, 2],
      [0, 0],
    ];
    expect(polygonProblems(polygon(flat))).toEqual([{ path: 'coordinates.0', message: expect.stringMatching(/no area/) }]);
  });

  it('when the polygon has a hole, then it is rejected: zones are single rings', () => {
    const hole: Position[] = [
      [0.25, 0.25],
      [0.25, 0.75],
      [0.75, 0.75],
      [0.75, 0.25],
      [0.25, 0.25],
    ];
    expect(polygonProblems(polygon(square(), hole))).toEqual([
      { path: 'coordinates.1', message: expect.stringMatching(/holes are not supported/) },
    ]);
  });

  it('when there is no ring at all, then it is rejected', () => {
    expect(polygonProblems(polygon())).toEqual([{ path: 'coordinates', message: expect.any(String) }]);
  });

  it('when the ring has more positions than allowed, then it is rejected before the pairwise check', () => {
    const many: Position[] = Array.from({ length: MAX_RING_POSITIONS + 1 }, (_, i) => {
      const t = (2 * Math.PI * i) / MAX_RING_POSITIONS;
      return [Math.cos(t), Math.sin(t)] as Position;
    });
    many[many.length - 1] = many[0]!;
    expect(polygonProblems(polygon(many))).toEqual([{ path: 'coordinates.0', message: expect.stringMatching(/at most/) }]);
  });

  it('when a ring of many positions is simple, then it passes in reasonable time', () => {
    const n = MAX_RING_POSITIONS - 1;
    const circle: Position[] = Array.from({ length: n }, (_, i) => [
      77.6 + 0.03 * Math.cos((2 * Math.PI * i) / n),
      12.9 + 0.03 * Math.sin((2 * Math.PI * i) / n),
    ]);
    circle.push(circle[0]!);
    const started = performance.now();
    expect(polygonProblems(polygon(circle))).toEqual([]);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('when a ring crosses itself many times, then only the first few crossings are reported', () => {
    const zigzag: Position[] = [];
    for (let i = 0; i < 40; i++) zigzag.push([i, i % 2 === 0 ? 0 : 10]);
    for (let i = 39; i >= 0; i--) zigzag.push([i + 0.5, i % 2 === 0 ? 10 : 0]);
    zigzag.push(zigzag[0]!);
    const problems = polygonProblems(polygon(zigzag));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.length).toBeLessThanOrEqual(10);
  });
});
