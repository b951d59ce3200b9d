import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { RoleService } from '@custos/access';
import { Approvals } from '@custos/approvals';
import { readAuditEvents } from '@custos/audit/testing';
import { FileStore, Jobs, newId, type Actor } from '@custos/core';
import { eventually, testDatabaseKinds } from '@custos/core/testing';
import { UserService } from '@custos/identity';
import { addTestMember, createTestAccount, type TestAccount } from '@custos/identity/testing';
import { DataExport, type ExportState } from './export.entity';
import type { ExportView } from './export.view';
import { ExportTransitions } from './export-transitions';
import { ExportDownloads } from './files/export-downloads';
import { exportFileKey } from './files/export-files';
import { ExportFileSweep } from './files/export-file-sweep';
import { ExportLog } from './log/export-log';
import { ExportRequests, type ExportRequest } from './requests/export-requests';
import { ExportRunner } from './run/export-runner';
import { ExportSettingsService } from './settings/export-settings.service';
import { createExportsTestApp, type ExportsTestApp } from './testing/export-test-app';
import { addTestItems, UNREADABLE_PROPERTY } from './testing/test-export-source';

const CANARY = 'canary-7f3e-sensitive-value';

describe.each(testDatabaseKinds())('@custos/exports on %s', (kind) => {
  let app: ExportsTestApp;
  let account: TestAccount;
  let sut: ExportRequests;

  beforeAll(async () => {
    app = await createExportsTestApp(kind);
    sut = app.module.get(ExportRequests);
  });

  afterAll(async () => {
    await app?.close();
  });

  /** Holds running exports before their second batch until `release` (or the test's end). */
  let releaseHeld: () => void = () => undefined;
  const hold = (): { reached: Promise<void>; release: () => void } => {
    let reach!: () => void;
    const reached = new Promise<void>((resolve) => (reach = resolve));
    const held = new Promise<void>((resolve) => (releaseHeld = resolve));
    app.source.pause = () => {
      reach();
      return held;
    };
    return {
      reached,
      release: () => {
        app.source.pause = undefined;
        releaseHeld();
      },
    };
  };

  afterEach(() => {
    app.source.pause = undefined;
    releaseHeld();
  });

  beforeEach(async () => {
    account = await createTestAccount(app);
    await addTestItems(app.transactions, account.accountId, 120, CANARY);
  });

  const as = <T>(actor: Actor, work: () => Promise<T>): Promise<T> =>
    app.context.runAs(actor, work);

  const request = (overrides: Partial<ExportRequest> = {}): ExportRequest => ({
    source: 'items',
    format: 'csv',
    properties: ['name', 'amount'],
    ...overrides,
  });

  const stateOf = async (id: string): Promise<DataExport> =>
    app.dataSource.manager.findOneByOrFail(DataExport, { id });

  const until = (id: string, state: ExportState): Promise<DataExport> =>
    eventually(async () => {
      const entity = await stateOf(id);
      return entity.state === state ? entity : undefined;
    });

  const read = async (stream: Readable): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    return Buffer.concat(chunks);
  };

  const download = async (actor: Actor, id: string): Promise<Buffer> =>
    as(actor, async () => read((await app.module.get(ExportDownloads).download(id)).getStream()));

  /** A member holding `privileges` through a role of their own. */
  const member = async (...privileges: string[]): Promise<Actor & { userId: string }> => {
    const { actor } = await addTestMember(app, account);
    await as(account.founder, async () => {
      const roles = app.module.get(RoleService);
      const role = await roles.create({
        name: `role ${actor.userId}`,
        privileges: [],
        taskPrivileges: privileges,
      });
      await roles.assign(role.id, { principalType: 'user', principalId: actor.userId });
    });
    return actor;
  };

  /** Every file below the store's folder, with its bytes. */
  const storedFiles = (): { path: string; bytes: Buffer }[] => {
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : [path];
      });
    return walk(app.files).map((path) => ({ path, bytes: readFileSync(path) }));
  };

  const countRows = async (table: string): Promise<number> => {
    const [{ count }] = await app.dataSource.query<{ count: string | number }[]>(
      `SELECT COUNT(*) AS count FROM ${table}`,
    );
    return Number(count);
  };

  it('runs a queued export to a file whose SHA-256 is the receipt in its audit events', async () => {
    const created = await as(account.founder, () => sut.create(request()));
    expect(created).toMatchObject({ state: 'queued', rowsTotal: 120, sensitive: false });

    const done = await until(created.id, 'done');
    expect(done).toMatchObject({ rowsDone: 120, rowsTotal: 120, downloads: 0 });
    const bytes = await download(account.founder, created.id);
    const csv = bytes.toString('utf8');
    expect(csv).toContain('item 000119');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(done.sha256).toBe(sha256);

    const events = (await readAuditEvents(app.dataSource, account.accountId)).filter(
      (e) => e.targetId === created.id,
    );
    expect(events.map((e) => e.action)).toEqual([
      'export.requested',
      'export.running',
      'export.done',
      'export.downloaded',
    ]);
    expect(events[2].metadata).toMatchObject({ sha256, rows: 120 });
    expect(events[3].metadata).toMatchObject({ sha256 });
    await expect(stateOf(created.id)).resolves.toMatchObject({ downloads: 1 });
  });

  it("notes each record it carried by the source's record-id column; a cancelled or failed run keeps none, other exports' notes stay", async () => {
    const carried = async (id: string): Promise<string[]> =>
      (
        await app.dataSource.query<{ record_id: string }[]>(
          kind === 'postgres'
            ? 'SELECT record_id FROM custos_export_record WHERE account_id = $1 AND export_id = $2'
            : 'SELECT record_id FROM custos_export_record WHERE account_id = ? AND export_id = ?',
          [account.accountId, id],
        )
      ).map((row) => row.record_id);
    const withIds = await as(account.founder, () =>
      sut.create(request({ properties: ['id', 'name'] })),
    );
    const withoutIds = await as(account.founder, () => sut.create(request()));
    await until(withIds.id, 'done');
    await until(withoutIds.id, 'done');
    const csvIds = (await download(account.founder, withIds.id))
      .toString('utf8')
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line) => line.split(',')[0]);
    expect((await carried(withIds.id)).sort()).toEqual(csvIds.sort());
    expect(csvIds).toHaveLength(120);
    expect(await carried(withoutIds.id)).toEqual([]);

    const { reached, release } = hold();
    const cancelled = await as(account.founder, () =>
      sut.create(request({ properties: ['id', 'name'] })),
    );
    await reached;
    expect((await carried(cancelled.id)).length).toBeGreaterThan(0);
    await as(account.founder, () => sut.cancel(cancelled.id));
    release();
    await until(cancelled.id, 'cancelled');
    expect(await carried(cancelled.id)).toEqual([]);

    // A run that fails after its first batch keeps none either.
    let failOnce!: () => void;
    const failing = new Promise<void>((resolve) => (failOnce = resolve));
    app.source.pause = () => {
      failOnce();
      return Promise.reject(new Error('the source broke'));
    };
    const failed = await as(account.founder, () =>
      sut.create(request({ properties: ['id', 'name'] })),
    );
    await failing;
    await until(failed.id, 'failed');
    expect(await carried(failed.id)).toEqual([]);
    // Forgetting a discarded run's notes leaves those of another export of the same records.
    expect((await carried(withIds.id)).sort()).toEqual(csvIds.sort());
  });

  it('writes XLSX as a workbook (a ZIP) with its content type', async () => {
    const created = await as(account.founder, () => sut.create(request({ format: 'xlsx' })));
    await expect(until(created.id, 'done')).resolves.toMatchObject({
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      fileExtension: 'xlsx',
    });
    const bytes = await download(account.founder, created.id);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it.each<[string, Partial<ExportRequest>, { kind: string; field?: string }]>([
    ['an unknown format', { format: 'pdf' }, { kind: 'validation', field: 'format' }],
    ['an unknown source', { source: 'nope' }, { kind: 'validation', field: 'source' }],
    [
      'an unreadable property',
      { properties: ['name', UNREADABLE_PROPERTY] },
      { kind: 'forbidden' },
    ],
    ['an empty property list', { properties: [] }, { kind: 'validation', field: 'properties' }],
    [
      'an invalid selection',
      { selection: { region: 'x' } },
      { kind: 'validation', field: 'selection.region' },
    ],
  ])('queues nothing for %s', async (_, overrides, expected) => {
    const [exports, jobs] = [await countRows('custos_export'), await countRows('custos_job')];
    const refusal = as(account.founder, () => sut.create(request(overrides)));
    await expect(refusal).rejects.toMatchObject({ kind: expected.kind });
    if (expected.field) {
      await expect(refusal).rejects.toMatchObject({
        options: { errors: [expect.objectContaining({ field: expected.field })] },
      });
    }
    expect(await countRows('custos_export')).toBe(exports);
    expect(await countRows('custos_job')).toBe(jobs);
  });

  it('hands the file to its requester only: another member and a super admin get a 404', async () => {
    const requester = await member('export', 'export_without_approval');
    const other = await member('export', 'approve_exports');
    const created = await as(requester, () => sut.create(request()));
    await until(created.id, 'done');

    for (const actor of [other, account.founder]) {
      await expect(download(actor, created.id)).rejects.toMatchObject({ kind: 'not_found' });
      // They may see it in the log (approvers), never fetch its file.
      await expect(
        as(actor, () => app.module.get(ExportLog).get(created.id)),
      ).resolves.toMatchObject({ id: created.id });
    }
    const stranger = await member('export');
    await expect(
      as(stranger, () => app.module.get(ExportLog).get(created.id)),
    ).rejects.toMatchObject({ kind: 'not_found' });
    await expect(download(requester, created.id)).resolves.toBeInstanceOf(Buffer);
  });

  it("serves the export's own file only, whatever file_key a database writer puts on its row", async () => {
    const created = await as(account.founder, () => sut.create(request()));
    const done = await until(created.id, 'done');
    // Another file of the store in clear (an attachment of an account without sensitive data, an upload).
    const elsewhere = `attachments/${newId()}/${newId()}`;
    await app.module
      .get(FileStore)
      .put(elsewhere, Buffer.from('record_id,name\r\nnot this export'));
    await app.dataSource.manager.update(DataExport, { id: done.id }, { fileKey: elsewhere });

    const bytes = await download(account.founder, done.id);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(done.sha256);
  });

  it('answers 410 once the file expired, and the sweep removes it from the store', async () => {
    const created = await as(account.founder, () => sut.create(request()));
    await until(created.id, 'done');
    app.clock.advance(7 * 86_400_000 + 1);

    await expect(download(account.founder, created.id)).rejects.toMatchObject({ kind: 'gone' });
    await app.module.get(ExportFileSweep).sweep();
    await expect(stateOf(created.id)).resolves.toMatchObject({ state: 'file_expired' });
    expect(storedFiles().filter((f) => f.path.includes(created.id))).toEqual([]);
    await expect(download(account.founder, created.id)).rejects.toMatchObject({ kind: 'gone' });
  });

  it('seals a sensitive file at rest, and keeps its values out of audit events and notifications', async () => {
    const created = await as(account.founder, () =>
      sut.create(request({ properties: ['name', 'secret'] })),
    );
    expect(created).toMatchObject({ state: 'queued', sensitive: true });
    await until(created.id, 'done');

    const stored = storedFiles().filter((f) => f.path.includes(created.id));
    expect(stored).toHaveLength(1);
    expect(stored[0].bytes.includes(CANARY)).toBe(false);
    const bytes = await download(account.founder, created.id);
    expect(bytes.toString('utf8')).toContain(CANARY);

    const metadata = JSON.stringify(await readAuditEvents(app.dataSource, account.accountId));
    expect(metadata).not.toContain(CANARY);
    const notifications = JSON.stringify(
      await app.dataSource.query('SELECT * FROM custos_notification'),
    );
    expect(notifications).toContain(created.id);
    expect(notifications).not.toContain(CANARY);
  });

  it('cancels a queued export, and a running one between batches, keeping no file', async () => {
    const { reached, release } = hold();
    const running = await as(account.founder, () => sut.create(request()));
    await reached;
    const queued = await as(account.founder, () => sut.create(request()));

    await expect(as(account.founder, () => sut.cancel(queued.id))).resolves.toMatchObject({
      state: 'cancelled',
    });
    await as(account.founder, () => sut.cancel(running.id));
    release();
    await until(running.id, 'cancelled');

    expect(storedFiles().filter((f) => f.path.includes(running.id))).toEqual([]);
    await expect(as(account.founder, () => sut.cancel(running.id))).rejects.toMatchObject({
      kind: 'conflict',
    });
    await expect(download(account.founder, running.id)).rejects.toMatchObject({ kind: 'conflict' });
  });

  it("runs with the requester's rights as they are when it runs: a lost privilege fails it", async () => {
    const { actor: requester } = await addTestMember(app, account);
    const roles = app.module.get(RoleService);
    const role = await as(account.founder, async () => {
      const created = await roles.create({
        name: 'exporter',
        privileges: [],
        taskPrivileges: ['export', 'export_without_approval'],
      });
      await roles.assign(created.id, { principalType: 'user', principalId: requester.userId });
      return created;
    });
    const { reached, release } = hold();
    const first = await as(account.founder, () => sut.create(request()));
    await reached; // the queue is busy: the next export waits
    const waiting = await as(requester, () => sut.create(request()));
    await as(account.founder, () => roles.remove(role.id));
    release();
    await until(first.id, 'done');
    await expect(until(waiting.id, 'failed')).resolves.toMatchObject({
      errorCode: 'exports.privilege_lost',
    });
    const notifications = JSON.stringify(
      await app.dataSource.query('SELECT * FROM custos_notification'),
    );
    expect(notifications).toContain('exports.privilege_lost');
  });

  it('runs as a super admin only while the requester still is one: a demotion before the run counts', async () => {
    // A second super admin, who also holds `export` by a role: only the super-admin standing changes.
    const { actor: admin } = await addTestMember(app, account, { superAdmin: true });
    await as(account.founder, async () => {
      const roles = app.module.get(RoleService);
      const role = await roles.create({
        name: 'exporter',
        privileges: [],
        taskPrivileges: ['export'],
      });
      await roles.assign(role.id, { principalType: 'user', principalId: admin.userId });
    });
    const { reached, release } = hold();
    const first = await as(account.founder, () => sut.create(request()));
    await reached; // the queue is busy: the next export waits
    const waiting = await as(admin, () => sut.create(request({ properties: ['name', 'secret'] })));
    expect(waiting).toMatchObject({ state: 'queued', sensitive: true }); // a super admin skips approval
    await as(account.founder, () =>
      app.module.get(UserService).update(admin.userId, { superAdmin: false }),
    );
    release();
    await until(first.id, 'done');
    const ended = await eventually(async () => {
      const entity = await stateOf(waiting.id);
      return entity.state === 'done' || entity.state === 'failed' ? entity : undefined;
    });
    expect(ended).toMatchObject({ state: 'failed', errorCode: 'exports.approval_needed' });
  });

  it('lets only the requester cancel', async () => {
    const requester = await member('export', 'export_without_approval');
    const { reached, release } = hold();
    const created = await as(requester, () => sut.create(request()));
    await reached;
    await expect(as(account.founder, () => sut.cancel(created.id))).rejects.toMatchObject({
      kind: 'forbidden',
    });
    release();
    await until(created.id, 'done');
  });

  describe('with approval required above 100 rows', () => {
    let requester: Actor & { userId: string };
    let approver: Actor & { userId: string };

    beforeEach(async () => {
      requester = await member('export');
      approver = await member('approve_exports');
      await as(account.founder, () =>
        app.module
          .get(ExportSettingsService)
          .update({ approvalRequired: true, recordThreshold: 100 }),
      );
    });

    const pending = async (overrides: Partial<ExportRequest> = {}): Promise<ExportView> => {
      const created = await as(requester, () =>
        sut.create(request({ notify: [approver.userId], message: 'please', ...overrides })),
      );
      expect(created).toMatchObject({ state: 'pending_approval' });
      return created;
    };

    it('queues an export at or below the threshold at once', async () => {
      const created = await as(requester, () =>
        sut.create(request({ selection: { namePrefix: 'item 00000' } })),
      );
      expect(created).toMatchObject({ state: 'queued', rowsTotal: 10 });
      await until(created.id, 'done');
    });

    it('runs an approved export as its requester', async () => {
      const created = await pending();
      await expect(as(approver, () => sut.approve(created.id))).resolves.toMatchObject({
        decidedByUserId: approver.userId,
      });
      await until(created.id, 'done');
      await expect(download(requester, created.id)).resolves.toBeInstanceOf(Buffer);
      await expect(as(approver, () => sut.approve(created.id))).rejects.toMatchObject({
        kind: 'conflict',
      });
    });

    it('runs only on what its own approved request covers: a row set to queued, given an approval of another export, or made sensitive since, fails', async () => {
      const approved = await pending();
      await as(approver, () => sut.approve(approved.id));
      await until(approved.id, 'done');
      // Approved without sensitive data, it holds some when it runs (here: its target changed).
      const { reached, release } = hold();
      const first = await as(account.founder, () => sut.create(request()));
      await reached;
      const grown = await pending();
      await as(approver, () => sut.approve(grown.id));
      await app.dataSource.manager.update(
        DataExport,
        { id: grown.id },
        { target: { selection: {}, properties: ['name', 'secret'], reveal: [] } },
      );
      release();
      await until(first.id, 'done');
      // A database writer moves pending requests on without a decision.
      const flipped = await pending();
      const borrowed = await pending();
      await app.dataSource.manager.update(DataExport, { id: flipped.id }, { state: 'queued' });
      await app.dataSource.manager.update(
        DataExport,
        { id: borrowed.id },
        { state: 'queued', approvalId: approved.approvalId },
      );
      await app.module.get(ExportRunner).onApplicationBootstrap();

      for (const id of [grown.id, flipped.id, borrowed.id]) {
        const ended = await eventually(async () => {
          const entity = await stateOf(id);
          return entity.state === 'done' || entity.state === 'failed' ? entity : undefined;
        });
        expect(ended).toMatchObject({ state: 'failed', errorCode: 'exports.approval_needed' });
      }
    });

    it('ends a rejected export with its reason', async () => {
      const created = await pending();
      await expect(as(approver, () => sut.reject(created.id, 'Too broad'))).resolves.toMatchObject({
        state: 'rejected',
        reason: 'Too broad',
      });
      await expect(download(requester, created.id)).rejects.toMatchObject({ kind: 'conflict' });
    });

    it('ends a request its requester revokes', async () => {
      const created = await pending();
      await expect(as(approver, () => sut.revoke(created.id))).rejects.toMatchObject({
        kind: 'forbidden',
      });
      await expect(as(requester, () => sut.revoke(created.id))).resolves.toMatchObject({
        state: 'revoked',
      });
    });

    it('ends a request left pending past its expiry', async () => {
      const created = await pending();
      app.clock.advance(72 * 3_600_000 + 1);
      await app.module.get(Approvals).expireDue();
      await expect(stateOf(created.id)).resolves.toMatchObject({ state: 'expired' });
    });

    it('always asks approval for sensitive data, even below the threshold', async () => {
      await pending({ properties: ['secret'], selection: { namePrefix: 'item 00000' } });
    });

    it('lets nobody approve their own request, nor someone without the privilege', async () => {
      const created = await pending();
      const bystander = await member('export');
      await expect(as(bystander, () => sut.approve(created.id))).rejects.toMatchObject({
        kind: 'not_found',
      });
      await expect(as(requester, () => sut.approve(created.id))).rejects.toMatchObject({
        kind: expect.stringMatching(/forbidden|conflict/),
      });
      await expect(stateOf(created.id)).resolves.toMatchObject({ state: 'pending_approval' });
    });
  });

  it('cancels through Jobs: a job cancelled while queued ends its export', async () => {
    const { reached, release } = hold();
    const first = await as(account.founder, () => sut.create(request()));
    await reached;
    const second = await as(account.founder, () => sut.create(request()));
    const { jobId } = await stateOf(second.id);
    await as(account.founder, () => app.module.get(Jobs).cancel(jobId!));
    await expect(stateOf(second.id)).resolves.toMatchObject({ state: 'cancelled' });
    release();
    await until(first.id, 'done');
  });

  describe('after a crash', () => {
    /** A copy of a finished export, put back in `state` as a dead server would have left it. */
    const leftIn = async (state: ExportState): Promise<DataExport> => {
      const done = await until((await as(account.founder, () => sut.create(request()))).id, 'done');
      const copy = {
        ...done,
        id: newId(),
        state,
        rowsDone: 60,
        jobId: null,
        fileKey: null,
        sha256: null,
      };
      await app.dataSource.manager.save(DataExport, copy);
      return copy;
    };

    it('starts a run that was cut off again from the first row, dropping the partial file', async () => {
      const entity = await leftIn('running');
      const part = `${exportFileKey(entity.accountId, entity.id)}.part`;
      await app.module.get(FileStore).put(part, Buffer.from('half a file'));
      await app.module.get(ExportRunner).enqueue(entity);

      const done = await until(entity.id, 'done');
      expect(done).toMatchObject({ rowsDone: 120 });
      await expect(app.module.get(FileStore).stat(part)).resolves.toBeNull();
      const bytes = await download(account.founder, entity.id);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(done.sha256);
    });

    it('ends failed, never stuck running, once its attempts are used up', async () => {
      const entity = await leftIn('running');
      await app.transactions.run(async (manager) => {
        await app.module.get(ExportRunner).enqueue(entity);
        // Three attempts already started and died with their server.
        await manager.query(
          `UPDATE custos_job SET attempts = 3 WHERE idempotency_key = ${kind === 'postgres' ? '$1' : '?'}`,
          [entity.id],
        );
      });
      await expect(until(entity.id, 'failed')).resolves.toMatchObject({
        errorCode: 'exports.interrupted',
      });
    });

    it('queues again at start an export whose job was lost after its commit', async () => {
      const entity = await leftIn('queued');
      await app.module.get(ExportRunner).onApplicationBootstrap();
      await until(entity.id, 'done');
    });
  });

  it('takes each transition once under concurrent attempts, with one audit event', async () => {
    const transitions = app.module.get(ExportTransitions);
    const done = await until((await as(account.founder, () => sut.create(request()))).id, 'done');
    for (let round = 0; round < 10; round += 1) {
      const id = newId();
      await app.dataSource.manager.save(DataExport, { ...done, id, state: 'pending_approval' });
      const outcomes = await Promise.all(
        (['queued', 'rejected', 'revoked', 'expired'] as const).map((to) =>
          as(account.founder, () => transitions.move(id, 'pending_approval', to)),
        ),
      );
      const won = outcomes.filter((o) => o !== null);
      expect(won).toHaveLength(1);
      const events = (await readAuditEvents(app.dataSource, account.accountId)).filter(
        (e) => e.targetId === id,
      );
      expect(events.map((e) => e.action)).toEqual([`export.${won[0].state}`]);
      await expect(stateOf(id)).resolves.toMatchObject({ state: won[0].state });
    }
  });
});
