import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Gazetteer } from '../domain/gazetteer';

const GazetteerFile = z.object({
  city: z.string().min(1),
  localities: z
    .array(
      z.object({
        name: z.string().min(1),
        aliases: z.array(z.string().min(1)).optional(),
        pincode: z.string().regex(/^[1-9]\d{5}$/),
        lat: z.number().min(-90).max(90),
        lng: z.number().min(-180).max(180),
      }),
    )
    .min(1),
});

/** Reads the gazetteer the service ships; a missing or malformed file stops the start with the reason. */
export function readGazetteer(path: string): Gazetteer {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the gazetteer ${path}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = GazetteerFile.safeParse(json);
  if (!parsed.success) throw new Error(`the gazetteer ${path} is malformed: ${z.prettifyError(parsed.error)}`);
  return new Gazetteer(parsed.data.city, parsed.data.localities);
}
