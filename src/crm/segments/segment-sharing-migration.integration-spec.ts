import 'reflect-metadata';
import { DataSource, type MigrationInterface } from 'typeorm';
import {
  connectionOptionsOf,
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '@custos/core/testing';
import { dataSourceOptions } from '../../database';

const ACCOUNT_ID = '0193a6c4-7f1e-7c3a-9d1e-00000000a001';
const USER_ID = '0193a6c4-7f1e-7c3a-9d1e-00000000a002';
const API_KEY_ID = '0193a6c4-7f1e-7c3a-9d1e-00000000a003';
const BY_USER = '0193a6c4-7f1e-7c3a-9d1e-00000000a010';
const BY_APP = '0193a6c4-7f1e-7c3a-9d1e-00000000a011';
const UNAUDITED = '0193a6c4-7f1e-7c3a-9d1e-00000000a012';

describe.each(testDatabaseKinds())('the SegmentSharing migration on %s', (kind) => {
  let database: TestDatabase;
  let sut: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const connection = connectionOptionsOf(database);
    const options = dataSourceOptions(connection);
    const migrations = options.migrations as (new () => MigrationInterface)[];
    const sharing = migrations.findIndex((m) => m.name.startsWith('SegmentSharing'));
    const before = new DataSource({
      ...options,
      migrations: migrations.slice(0, sharing),
      migrationsRun: false,
      logging: false,
    });
    await before.initialize();
    await before.runMigrations({ transaction: 'each' });
    const now = '2026-11-22T18:42:00.000Z';
    const created = (seq: number, segmentId: string, actorKind: string, actorId: string) =>
      before.query(
        `INSERT INTO audit_event (id, account_id, seq, prev_hash, hash, occurred_at, actor_kind, actor_id, actor_label, action, target_type, target_id, metadata, request_id) VALUES ('${segmentId.slice(0, -4)}e${seq}00', '${ACCOUNT_ID}', ${seq}, '', '', '${now}', '${actorKind}', '${actorId}', 'someone', 'segment.created', 'segment', '${segmentId}', '{}', NULL)`,
      );
    await created(1, BY_USER, 'user', USER_ID);
    await created(2, BY_APP, 'private_app', API_KEY_ID);
    for (const id of [BY_USER, BY_APP, UNAUDITED]) {
      await before.query(
        `INSERT INTO crm_segment (id, account_id, name, object_type, filter_groups, created_at, updated_at) VALUES ('${id}', '${ACCOUNT_ID}', 'segment ${id}', 'contacts', '[]', '${now}', '${now}')`,
      );
    }
    await before.destroy();
    sut = new DataSource({ ...options, migrationsRun: false, logging: false });
    await sut.initialize();
    await sut.runMigrations({ transaction: 'each' });
  });

  afterAll(async () => {
    await sut?.destroy();
    await database?.drop();
  });

  const segment = async (id: string) => {
    const rows: { owner_user_id: string | null; sharing: string }[] = await sut.query(
      `SELECT owner_user_id, sharing FROM crm_segment WHERE id = '${id}'`,
    );
    return rows[0];
  };

  it('gives an existing segment to the user its audit event says created it, shared read-only', async () => {
    await expect(segment(BY_USER)).resolves.toEqual({
      owner_user_id: USER_ID,
      sharing: 'shared_read',
    });
  });

  it('leaves an existing segment created by an app without owner (super admins manage it), shared read-only', async () => {
    await expect(segment(BY_APP)).resolves.toEqual({ owner_user_id: null, sharing: 'shared_read' });
  });

  it('leaves an existing segment without creation event without owner, shared read-only', async () => {
    await expect(segment(UNAUDITED)).resolves.toEqual({
      owner_user_id: null,
      sharing: 'shared_read',
    });
  });
});
