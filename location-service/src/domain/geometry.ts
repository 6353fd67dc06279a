/**
 * Plane and sphere geometry for city-sized areas. Positions are GeoJSON `[lng, lat]` in degrees.
 * Polygon tests work in the lng/lat plane: over a few kilometres, and far from the poles and the
 * antimeridian (the service's cities are in India), the distortion changes no inside/outside answer.
 */
export type Position = [lng: number, lat: number];
export interface LatLng {
  lat: number;
  lng: number;
}

/** GeoJSON Polygon (RFC 7946 §3.1.6): the first ring is the boundary, any further ring a hole. */
export interface Polygon {
  type: 'Polygon';
  coordinates: Position[][];
}

export interface BoundingBox {
  minLng: number;
  minLat: number;
  maxLng: number;
  maxLat: number;
}

const EARTH_RADIUS_KM = 6371.0088;
const toRadians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance between two points, in kilometres. */
export function haversineKm(a: LatLng, b: LatLng): number {
  const dLat = toRadians(b.lat - a.lat);
  const dLng = toRadians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(a.lat)) * Math.cos(toRadians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function isValidLatLng({ lat, lng }: LatLng): boolean {
  return Number.isFinite(lat) && Number.isFinite(lng) && lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180;
}

export function boundingBox(ring: Position[]): BoundingBox {
  const box = { minLng: Infinity, minLat: Infinity, maxLng: -Infinity, maxLat: -Infinity };
  for (const [lng, lat] of ring) {
    box.minLng = Math.min(box.minLng, lng);
    box.maxLng = Math.max(box.maxLng, lng);
    box.minLat = Math.min(box.minLat, lat);
    box.maxLat = Math.max(box.maxLat, lat);
  }
  return box;
}

export function boxContains(box: BoundingBox, { lat, lng }: LatLng): boolean {
  return lng >= box.minLng && lng <= box.maxLng && lat >= box.minLat && lat <= box.maxLat;
}

/** Sign of the turn a → b → c: > 0 left, < 0 right, 0 collinear. */
function orientation(a: Position, b: Position, c: Position): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

/** Whether c, known to be collinear with a–b, lies within the segment's extent. */
function withinSegment(a: Position, b: Position, c: Position): boolean {
  return Math.min(a[0], b[0]) <= c[0] && c[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= c[1] && c[1] <= Math.max(a[1], b[1]);
}

/** Whether segments p1–p2 and q1–q2 share any point, touching and collinear overlap included. */
export function segmentsIntersect(p1: Position, p2: Position, q1: Position, q2: Position): boolean {
  const d1 = orientation(q1, q2, p1);
  const d2 = orientation(q1, q2, p2);
  const d3 = orientation(p1, p2, q1);
  const d4 = orientation(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return (
    (d1 === 0 && withinSegment(q1, q2, p1)) ||
    (d2 === 0 && withinSegment(q1, q2, p2)) ||
    (d3 === 0 && withinSegment(p1, p2, q1)) ||
    (d4 === 0 && withinSegment(p1, p2, q2))
  );
}

function onBoundary(ring: Position[], point: Position): boolean {
  for (let i = 0; i < ring.length - 1; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    if (orientation(a, b, point) === 0 && withinSegment(a, b, point)) return true;
  }
  return false;
}

/**
 * Whether a point is inside a closed ring (even-odd ray casting). A point on the boundary counts
 * as inside: an address on the line between two zones is served rather than refused.
 */
export function ringContains(ring: Position[], { lat, lng }: LatLng): boolean {
  const point: Position = [lng, lat];
  if (onBoundary(ring, point)) return true;
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Zones are single-ring polygons (holes are rejected on input), so the boundary ring decides. */
export function polygonContains(polygon: Polygon, point: LatLng): boolean {
  const boundary = polygon.coordinates[0];
  return boundary !== undefined && ringContains(boundary, point);
}

export interface PolygonProblem {
  /** Where in the polygon, e.g. `coordinates.0.3` (ring 0, position 3). */
  path: string;
  message: string;
}

/** Enough to keep the pairwise self-intersection check (O(n²)) well under a millisecond or two. */
export const MAX_RING_POSITIONS = 1000;
/** A tangled ring can cross itself thousands of times; a few are enough to show where. */
const MAX_REPORTED_CROSSINGS = 10;

/**
 * What is wrong with a zone's polygon, or nothing. A zone is one simple ring: closed, at least four
 * positions, coordinates in range, no repeated consecutive position, some area, and no edge touching
 * or crossing any other edge but its two neighbours. Holes are rejected rather than half-supported.
 */
export function polygonProblems(polygon: Polygon): PolygonProblem[] {
  const problems: PolygonProblem[] = [];
  const rings = polygon.coordinates;
  if (rings.length === 0) return [{ path: 'coordinates', message: 'a polygon needs its boundary ring' }];
  if (rings.length > 1) {
    problems.push({ path: 'coordinates.1', message: 'holes are not supported: a zone is one boundary ring; split it into zones instead' });
  }
  const ring = rings[0]!;
  const at = (i: number) => `coordinates.0.${i}`;
  if (ring.length < 4) return [...problems, { path: 'coordinates.0', message: 'a ring needs at least 4 positions (a triangle, closed)' }];
  if (ring.length > MAX_RING_POSITIONS)
    return [...problems, { path: 'coordinates.0', message: `a ring has at most ${MAX_RING_POSITIONS} positions` }];

  ring.forEach(([lng, lat], i) => {
    if (!isValidLatLng({ lat, lng })) problems.push({ path: at(i), message: 'longitude must be within ±180 and latitude within ±90' });
  });
  const first = ring[0]!;
  const last = ring.at(-1)!;
  if (first[0] !== last[0] || first[1] !== last[1]) {
    problems.push({ path: at(ring.length - 1), message: 'the ring is not closed: its last position must repeat the first' });
  }
  if (problems.length > 0) return problems;

  for (let i = 0; i < ring.length - 1; i++) {
    const [a, b] = [ring[i]!, ring[i + 1]!];
    if (a[0] === b[0] && a[1] === b[1]) problems.push({ path: at(i + 1), message: 'repeats the position before it' });
  }
  if (problems.length > 0) return problems;
  if (ring.every((p) => orientation(first, ring[1]!, p) === 0)) {
    return [{ path: 'coordinates.0', message: 'the ring has no area: its positions are all on one line' }];
  }

  const edges = ring.length - 1;
  for (let i = 0; i < edges && problems.length < MAX_REPORTED_CROSSINGS; i++) {
    for (let j = i + 1; j < edges && problems.length < MAX_REPORTED_CROSSINGS; j++) {
      const adjacent = j === i + 1 || (i === 0 && j === edges - 1);
      const [p1, p2, q1, q2] = [ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!];
      // Neighbours share one vertex by construction; they are wrong only when they fold back over each other.
      const crossing = adjacent ? foldsBack(p1, p2, q1, q2) : segmentsIntersect(p1, p2, q1, q2);
      if (crossing)
        problems.push({ path: at(i), message: `edge ${i}→${i + 1} touches or crosses edge ${j}→${j + 1}: the ring intersects itself` });
    }
  }
  return problems;
}

/** Two edges that share a vertex overlap (rather than just meet) when they are collinear and point back. */
function foldsBack(p1: Position, p2: Position, q1: Position, q2: Position): boolean {
  if (orientation(p1, p2, q1) !== 0 || orientation(p1, p2, q2) !== 0) return false;
  const [u, v] = [
    [p2[0] - p1[0], p2[1] - p1[1]],
    [q2[0] - q1[0], q2[1] - q1[1]],
  ] as const;
  // Consecutive edges p1→p2→q2 fold back when their directions oppose; the closing pair (edge 0 and
  // the last edge, which ends where edge 0 starts) likewise.
  return u[0] * v[0] + u[1] * v[1] < 0;
}
