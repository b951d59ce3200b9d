import 'reflect-metadata';
import { DataSource, type MigrationInterface } from 'typeorm';
import {
  connectionOptionsOf,
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '@custos/core/testing';
import { dataSourceOptions } from '../database';

const ACCOUNT_ID = '0193a6c4-7f1e-7c3a-9d1e-00000000b001';
const USER_ID = '0193a6c4-7f1e-7c3a-9d1e-00000000b002';
const FORM_ID = '0193a6c4-7f1e-7c3a-9d1e-00000000b003';
const SUBMISSION_ID = '0193a6c4-7f1e-7c3a-9d1e-00000000b004';
const RECORD_ID = '0193a6c4-7f1e-7c3a-9d1e-00000000b005';
const NOTIFICATION_ID = '0193a6c4-7f1e-7c3a-9d1e-00000000b006';
const CREATED = '2026-11-22T18:42:00.000Z';
const READ = '2026-11-23T08:00:00.000Z';

describe.each(testDatabaseKinds())('the SharedNotifications migration on %s', (kind) => {
  let database: TestDatabase;
  let sut: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const options = dataSourceOptions(connectionOptionsOf(database));
    const migrations = options.migrations as (new () => MigrationInterface)[];
    const shared = migrations.findIndex((m) => m.name.startsWith('SharedNotifications'));
    const before = new DataSource({
      ...options,
      migrations: migrations.slice(0, shared),
      migrationsRun: false,
      logging: false,
    });
    await before.initialize();
    await before.runMigrations({ transaction: 'each' });
    await before.query(
      `INSERT INTO crm_notification (id, account_id, recipient_user_id, kind, form_id, submission_id, object_type, record_id, created_at, read_at) VALUES ('${NOTIFICATION_ID}', '${ACCOUNT_ID}', '${USER_ID}', 'form_submission', '${FORM_ID}', '${SUBMISSION_ID}', 'contacts', '${RECORD_ID}', '${CREATED}', '${READ}')`,
    );
    await before.destroy();
    sut = new DataSource({ ...options, migrationsRun: false, logging: false });
    await sut.initialize();
    await sut.runMigrations({ transaction: 'each' });
  });

  afterAll(async () => {
    await sut?.destroy();
    await database?.drop();
  });

  it('moves form notifications into the shared inbox, their columns becoming references', async () => {
    const rows: Record<string, string | null>[] = await sut.query(
      `SELECT id, account_id, recipient_user_id, kind, topic_id, refs, created_at, read_at FROM custos_notification`,
    );
    expect(rows).toHaveLength(1);
    const { refs, ...columns } = rows[0];
    expect(columns).toEqual({
      id: NOTIFICATION_ID,
      account_id: ACCOUNT_ID,
      recipient_user_id: USER_ID,
      kind: 'form_submission',
      topic_id: FORM_ID,
      created_at: CREATED,
      read_at: READ,
    });
    expect(JSON.parse(refs!)).toEqual({
      formId: FORM_ID,
      submissionId: SUBMISSION_ID,
      objectType: 'contacts',
      recordId: RECORD_ID,
    });
    await expect(sut.query(`SELECT id FROM crm_notification`)).rejects.toThrow();
  });

  it('moves them back when undone', async () => {
    const migration = sut.migrations.find((m) => m.name?.startsWith('SharedNotifications'))!;
    const runner = sut.createQueryRunner();
    await migration.down(runner);
    await expect(
      sut.query(
        `SELECT form_id, submission_id, object_type, record_id, read_at FROM crm_notification`,
      ),
    ).resolves.toEqual([
      {
        form_id: FORM_ID,
        submission_id: SUBMISSION_ID,
        object_type: 'contacts',
        record_id: RECORD_ID,
        read_at: READ,
      },
    ]);
    await expect(runner.query(`SELECT id FROM custos_notification`)).rejects.toThrow();
    await runner.release();
  });
});
