import {
  EntitySchema,
  commonColumns,
  commonColumnsSql,
  createDataSource,
  newId,
  softDeleteColumn,
  versionColumn,
  type DataSource,
} from '../../src/db';
import { createTestSchema, type TestSchema } from '../../src/testing';

interface Shelf {
  id: string;
  label: string;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  version: number;
}

const ShelfEntity = new EntitySchema<Shelf>({
  name: 'Shelf',
  tableName: 'shelves',
  columns: { ...commonColumns, ...softDeleteColumn, ...versionColumn, label: { type: 'varchar', length: 50 } },
});

describe('common columns on the real database', () => {
  let schema: TestSchema;
  let db: DataSource;

  beforeAll(async () => {
    schema = await createTestSchema('common_columns');
    db = createDataSource({ url: schema.url, poolSize: 2, entities: [ShelfEntity] });
    await db.initialize();
    await db.query(
      `CREATE TABLE shelves (${commonColumnsSql}, label VARCHAR(50) NOT NULL, deleted_at DATETIME(3) NULL, version INT NOT NULL)`,
    );
  }, 30_000);

  afterAll(async () => {
    await db?.destroy();
    await schema?.drop();
  });

  it('when ids are generated one after another, then they are UUIDv7 and sort by creation', () => {
    const ids = Array.from({ length: 50 }, () => newId());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
  });

  it('when a row is saved, updated and soft-deleted, then times, version and deletion are kept by the columns', async () => {
    const repo = db.getRepository(ShelfEntity);
    const id = newId();
    await repo.save({ id, label: 'dairy' });
    const created = await repo.findOneByOrFail({ id });
    expect(created).toMatchObject({ label: 'dairy', version: 1, deletedAt: null });
    expect(created.createdAt).toBeInstanceOf(Date);

    await new Promise((r) => setTimeout(r, 10));
    await repo.save({ ...created, label: 'dairy & eggs' });
    const updated = await repo.findOneByOrFail({ id });
    expect(updated.version).toBe(2);
    expect(updated.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());

    await repo.softDelete({ id });
    expect(await repo.findOneBy({ id })).toBeNull();
    expect((await repo.findOne({ where: { id }, withDeleted: true }))?.deletedAt).toBeInstanceOf(Date);
  });
});
