import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import {
  connectionOptionsOf,
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '@custos/core/testing';
import { keyVersionOf } from '../envelope/envelope';
import { rotationBatch, rotationCiphers } from '../testing/rotation-ciphers';
import { SealedFileRotationSource } from './sealed-file-rotation-source';

const ACCOUNT = 'acc-files';

@Entity('rotation_test_file')
class TestFile {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 40 })
  accountId!: string;

  @Column({ name: 'key_version', type: 'integer', nullable: true })
  keyVersion!: number | null;

  @Column({ type: 'boolean' })
  sealed!: boolean;
}

const placeOf = (id: string) => ({ table: 'rotation_test_file', column: 'file', recordId: id });

describe.each(testDatabaseKinds())(`${SealedFileRotationSource.name} on %s`, (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const { onFirst, onSecond } = rotationCiphers(ACCOUNT);
  /** The file store: file id → its sealed content. */
  const files = new Map<string, string>();
  const source = new SealedFileRotationSource<TestFile>({
    name: 'rotation_test_file',
    entity: TestFile,
    label: 'Test file',
    sealed: { where: 'f.sealed = :sealed', parameters: { sealed: true } },
    reseal: (cipher, file) => {
      const stored = files.get(file.id);
      if (stored === undefined) {
        return Promise.resolve(false);
      }
      files.set(file.id, cipher.seal(cipher.open(stored, placeOf(file.id)), placeOf(file.id)));
      return Promise.resolve({ keyVersion: cipher.activeVersion });
    },
  });

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await new DataSource({
      ...connectionOptionsOf(database),
      entities: [TestFile],
      synchronize: true,
    }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const file = (id: string, content: string | null, accountId = ACCOUNT) => {
    if (content !== null) {
      files.set(id, onFirst.seal(content, placeOf(id)));
    }
    return dataSource.manager.insert(TestFile, {
      id,
      accountId,
      keyVersion: content === null ? null : 1,
      sealed: content !== null,
    });
  };
  const versions = async () =>
    Object.fromEntries(
      (await dataSource.manager.find(TestFile, { order: { id: 'ASC' } })).map((f) => [
        f.id,
        f.keyVersion,
      ]),
    );
  const batch = (after: string | null, limit: number) =>
    rotationBatch(dataSource, source, { accountId: ACCOUNT, cipher: onSecond, after, limit });

  it('reseals stale sealed files in batches; files gone or not opening are unreadable and keep their key', async () => {
    await file('f1', 'one');
    await file('f2', null); // not sealed: not its business
    await file('f3', 'three');
    files.set('f3', onFirst.seal('three', placeOf('elsewhere'))); // moved: does not open here
    await file('f4', 'four');
    files.delete('f4'); // gone
    await file('f5', 'five');
    await file('x1', 'other account', 'acc-other');

    await expect(batch(null, 2)).resolves.toEqual({
      lastKey: 'f2',
      reencrypted: 1,
      unreadable: 0,
      done: false,
    });
    await expect(batch('f2', 2)).resolves.toEqual({
      lastKey: 'f4',
      reencrypted: 0,
      unreadable: 2,
      done: false,
    });
    await expect(batch('f4', 2)).resolves.toEqual({
      lastKey: 'f5',
      reencrypted: 1,
      unreadable: 0,
      done: true,
    });

    await expect(versions()).resolves.toEqual({
      f1: 2,
      f2: null,
      f3: 1,
      f4: 1,
      f5: 2,
      x1: 1,
    });
    expect(keyVersionOf(files.get('f1')!)).toBe(2);
    expect(onSecond.open(files.get('f5')!, placeOf('f5'))).toBe('five');
    expect(keyVersionOf(files.get('x1')!)).toBe(1);
    await expect(
      dataSource.transaction((manager) => source.countByVersion(manager, ACCOUNT)),
    ).resolves.toEqual(
      new Map([
        [1, 2],
        [2, 2],
      ]),
    );
  });
});
