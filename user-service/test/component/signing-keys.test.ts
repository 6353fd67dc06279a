import { JWKS_REFRESH_MS } from '@qc/shared/auth';
import { createDataSource, migrate, type DataSource } from '@qc/shared/db';
import { createTestSchema, type TestSchema } from '@qc/shared/testing';
import { KEY_PUBLISH_AHEAD_MS, SigningKeyRing } from '../../src/data/signing-keys';
import { Identity1763769600000 } from '../../src/data/migrations/1763769600000-identity';

/** The key ring on the real MariaDB: a new key is published before it signs (a verifier's refresh interval at least). */
describe('signing key rotation', () => {
  const PUBLISH_AHEAD_MS = 400;
  let schema: TestSchema;
  let dataSource: DataSource;
  const rings: SigningKeyRing[] = [];

  beforeEach(async () => {
    schema = await createTestSchema('user_signing_keys');
    dataSource = createDataSource({ url: schema.url, poolSize: 2, migrations: [Identity1763769600000] });
    await dataSource.initialize();
    await migrate(dataSource);
  });

  afterEach(async () => {
    for (const ring of rings.splice(0)) ring.stop();
    await dataSource.destroy();
    await schema.drop();
  });

  const startRing = async () => {
    const ring = await new SigningKeyRing(dataSource, PUBLISH_AHEAD_MS).start();
    rings.push(ring);
    return ring;
  };
  const kidsOf = async (ring: SigningKeyRing) => (await ring.jwks()).keys.map((key) => key.kid).sort();

  it('when a schema has no key yet, then the first key signs at once', async () => {
    const ring = await startRing();
    expect(await kidsOf(ring)).toEqual([ring.current().kid]);
  });

  it('when the keys are rotated, then the new key is in the JWKS at once but signs only once it has been published long enough', async () => {
    const ring = await startRing();
    const oldKid = ring.current().kid;
    const newKid = await ring.rotate();

    expect(await kidsOf(ring)).toEqual([oldKid, newKid].sort());
    expect(ring.current().kid).toBe(oldKid);
    await new Promise((resolve) => setTimeout(resolve, PUBLISH_AHEAD_MS + 50));
    expect(ring.current().kid).toBe(newKid);
    // The old key still verifies what it signed until then.
    expect(await ring.publicKey(oldKid)).toBeDefined();
  });

  it('when keys are rotated in production, then a new key is published for at least two verifier refreshes before it signs', () => {
    expect(KEY_PUBLISH_AHEAD_MS).toBeGreaterThanOrEqual(2 * JWKS_REFRESH_MS);
  });
});
