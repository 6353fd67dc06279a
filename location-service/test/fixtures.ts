import request from 'supertest';
import { startServiceUnderTest, type ServiceUnderTest, type ServiceUnderTestOptions } from '@qc/shared/testing';
import type { LocationSettings } from '../src/config';
import type { Position } from '../src/domain/geometry';
import { definition } from '../src/service';

/** One location-service on its own schema, with a token issuer standing in for user-service. */
export interface LocationServiceUnderTest extends ServiceUnderTest<LocationSettings> {
  api: () => ReturnType<typeof request>;
}

/** Starts location-service for a component test file; `label` names its throwaway schema. */
export async function startLocationService(
  label: string,
  options: Omit<ServiceUnderTestOptions, 'label'> = {},
): Promise<LocationServiceUnderTest> {
  const underTest = await startServiceUnderTest(definition, { ...options, label });
  return { ...underTest, api: () => request(underTest.service.server) };
}

/** A closed ring approximating a circle of `radiusKm` around a point (12 positions, counter-clockwise). */
export function ringAround(lat: number, lng: number, radiusKm: number): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < 12; i++) {
    const t = (2 * Math.PI * i) / 12;
    const dLat = (radiusKm / 111.32) * Math.sin(t);
    const dLng = (radiusKm / (111.32 * Math.cos((lat * Math.PI) / 180))) * Math.cos(t);
    ring.push([Number((lng + dLng).toFixed(6)), Number((lat + dLat).toFixed(6))]);
  }
  ring.push(ring[0]!);
  return ring;
}

export const polygonAround = (lat: number, lng: number, radiusKm: number) => ({
  type: 'Polygon' as const,
  coordinates: [ringAround(lat, lng, radiusKm)],
});

/** `HH:MM` in Kolkata, `offsetMinutes` from now. */
export function kolkataTime(offsetMinutes: number): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(Date.now() + offsetMinutes * 60_000),
  );
}
