import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Jobs } from '@custos/core';
import {
  connectionOptionsOf,
  createTestDatabase,
  isPostgresAvailable,
  type DatabaseKind,
  type TestDatabase,
} from '@custos/core/testing';
import { callerOf, expectStatus } from './crm/crm-support';
import {
  canariesIn,
  databaseBytes,
  erasureBody,
  erasureWorld,
  plantErasureSubject,
  type ErasureSubject,
} from './support/privacy-erasure';
import { startTestServer } from './support/test-server';
import { startWorker, stopWorker } from './support/worker-process';

/**
 * Issue 18's erasure kill test: the real server in a child process erases three subjects and is
 * SIGKILLed at random points (5 times on each database), each kill followed by a check
 * that no contact is seen half-erased; a last process completes the erasures. Then no byte of the
 * database (the SQLite file, a `pg_dump`) holds a subject's email, name, phone or custom value,
 * and each closed-won deal is still there, linked to its anonymised contact.
 */
const KILLS: Record<DatabaseKind, number> = { sqlite: 5, postgres: 5 };
/**
 * Enough steps (a contact each, one transaction) that most kills land before the end, even on
 * SQLite where a step takes a few milliseconds: three subjects of 100 contacts (the most an
 * erasure takes), queued together.
 */
const SUBJECTS = 3;
const CONTACTS = 100;
/** Contacts of each subject with a history change and a consent event of their own. */
const DETAILED = 5;
const MIN_KILLS_MIDWAY = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ErasureRow {
  status: string;
  contacts_done: number | string;
  values_done: boolean | number;
}

interface Progress {
  steps: number;
  completed: boolean;
}

/** What a contact holds before the erasure, to tell whole from half-erased. */
interface Holdings {
  history: number;
  unique: number;
  consent: number;
  states: number;
}

describe.each(['sqlite', 'postgres'] as const)(
  'Erasure SIGKILLed at random points on %s',
  (kind) => {
    let database: TestDatabase;
    let dataDir: string;
    let env: Record<string, string>;
    let checker: DataSource;
    let subjects: ErasureSubject[];
    const before = new Map<string, Holdings>();
    const children: ChildProcess[] = [];
    const sql = (text: string) => (kind === 'postgres' ? text : text.replace(/\$\d+/g, '?'));

    beforeAll(async () => {
      if (kind === 'postgres') {
        expect(isPostgresAvailable()).toBe(true);
      }
      database = await createTestDatabase(kind);
      dataDir = mkdtempSync(join(tmpdir(), 'custos-erasure-kill-'));
      env = {
        DATABASE_URL: database.url,
        CUSTOS_DATA_DIR: dataDir,
        CUSTOS_MASTER_KEY: randomBytes(32).toString('base64'),
        // A killed process's job is taken over by the next once its lease has lapsed.
        CUSTOS_JOB_LEASE_SECONDS: '1',
        CUSTOS_JOB_POLL_MS: '100',
        LOG_LEVEL: 'error',
      };
      // Seed through the API with this process's job workers stopped, so that only the child
      // processes run the erasure.
      const server = await startTestServer(kind, { env });
      await server.app.get(Jobs).beforeApplicationShutdown();
      const admin = callerOf(server, await server.login());
      const world = await erasureWorld(admin);
      subjects = [];
      for (let i = 0; i < SUBJECTS; i += 1) {
        subjects.push(await plantErasureSubject(admin, world, `k${kind}${i}`, CONTACTS, DETAILED));
      }
      for (const subject of subjects) {
        expectStatus(
          await admin.post(
            `/api/v1/privacy-requests/${subject.requestId}/erasure`,
            erasureBody(subject),
          ),
          202,
        );
      }
      await server.close();
      checker = new DataSource({ ...connectionOptionsOf(database) });
      await checker.initialize();
      for (const id of subjects.flatMap((subject) => subject.contactIds)) {
        before.set(id, await holdingsOf(id));
      }
    }, 240_000);

    afterAll(async () => {
      for (const child of children) {
        await stopWorker(child, 'SIGKILL');
      }
      await checker?.destroy();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    /** Committed steps over all erasures (contacts, then values, then the end of each). */
    async function progress(): Promise<Progress> {
      const rows = await checker.query<ErasureRow[]>(
        'SELECT status, contacts_done, values_done FROM privacy_erasure',
      );
      expect(rows).toHaveLength(SUBJECTS);
      return {
        steps: rows.reduce(
          (sum, row) =>
            sum +
            Number(row.contacts_done) +
            (row.values_done ? 1 : 0) +
            (row.status === 'completed' ? 1 : 0),
          0,
        ),
        completed: rows.every((row) => row.status === 'completed'),
      };
    }

    async function holdingsOf(id: string): Promise<Holdings> {
      const count = async (text: string) =>
        Number((await checker.query<{ n: string | number }[]>(sql(text), [id]))[0].n);
      return {
        history: await count('SELECT COUNT(*) AS n FROM crm_property_history WHERE record_id = $1'),
        unique: await count('SELECT COUNT(*) AS n FROM crm_unique_value WHERE record_id = $1'),
        consent: await count(
          'SELECT COUNT(*) AS n FROM consent_event WHERE contact_id = $1 AND erased_at IS NULL',
        ),
        states: await count('SELECT COUNT(*) AS n FROM consent_state WHERE contact_id = $1'),
      };
    }

    /**
     * Each contact is whole (all it held), or erased (nothing held; deleted or anonymised) — never
     * in between; and within a subject the erased ones come first (contacts go in order).
     */
    async function expectNoHalfErasedContact(): Promise<void> {
      for (const subject of subjects) {
        const states: string[] = [];
        for (const id of subject.contactIds) {
          const [row] = await checker.query<{ email: string | null; firstname: string | null }[]>(
            sql('SELECT email, firstname FROM crm_contact WHERE id = $1'),
            [id],
          );
          const now = await holdingsOf(id);
          const whole =
            typeof row?.email === 'string' &&
            JSON.stringify(now) === JSON.stringify(before.get(id));
          const gone = Object.values(now).every((n) => n === 0);
          const erased =
            gone && (row === undefined || (row.email === null && row.firstname === null));
          states.push(
            whole ? 'whole' : erased ? 'erased' : `half ${id}: ${JSON.stringify({ row, now })}`,
          );
        }
        expect(states.filter((state) => state.startsWith('half'))).toEqual([]);
        const firstWhole = states.indexOf('whole');
        expect(
          firstWhole === -1 || states.slice(firstWhole).every((state) => state === 'whole'),
        ).toBe(true);
      }
    }

    it('completes after random SIGKILLs; no registered place holds the subject; the deal stays', async () => {
      let midway = 0;
      let previous = (await progress()).steps;
      for (let kill = 0; kill < KILLS[kind]; kill += 1) {
        // Watched from the spawn, not from `ready`: the job starts while the boot goes on.
        const { child, ready } = startWorker(env);
        children.push(child);
        ready.catch(() => undefined); // killed before it was ready: fine
        // 1–4 more committed steps, plus 0–20 ms so that a kill also lands inside one.
        const target = previous + 1 + Math.floor(Math.random() * 4);
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
          const now = await progress();
          if (now.steps >= target || now.completed) {
            break;
          }
          await sleep(2);
        }
        await sleep(Math.floor(Math.random() * 21));
        await stopWorker(child, 'SIGKILL');

        await expectNoHalfErasedContact();
        const state = await progress();
        // Committed steps stay committed.
        expect(state.steps).toBeGreaterThanOrEqual(previous);
        previous = state.steps;
        if (state.completed) {
          continue;
        }
        midway += 1;
      }
      expect(midway).toBeGreaterThanOrEqual(MIN_KILLS_MIDWAY);

      const { child, ready } = startWorker(env);
      children.push(child);
      await ready;
      const deadline = Date.now() + 60_000;
      while (!(await progress()).completed && Date.now() < deadline) {
        await sleep(50);
      }
      await stopWorker(child, 'SIGTERM');
      expect(await progress()).toEqual({ steps: SUBJECTS * (CONTACTS + 2), completed: true });

      // No byte of the database holds a subject.
      const canaries = subjects.flatMap((subject) => subject.canaries);
      expect(canariesIn(await databaseBytes(kind, checker, database.url), canaries)).toEqual([]);
      await expectNoHalfErasedContact();
      // The business records are valid: each deal, linked to its anonymised contact (the only one
      // of its subject left); each contact logged once, whatever the kills (no step ran twice).
      for (const subject of subjects) {
        const [deal] = await checker.query<{ dealstage: string }[]>(
          sql('SELECT dealstage FROM crm_deal WHERE id = $1'),
          [subject.dealId],
        );
        expect(deal).toEqual({ dealstage: 'closedwon' });
        const links = await checker.query<{ from_id: string }[]>(
          sql("SELECT from_id FROM crm_association WHERE to_id = $1 AND from_type = 'contacts'"),
          [subject.dealId],
        );
        expect(links).toEqual([{ from_id: subject.contactIds[0] }]);
        const left = await checker.query<{ id: string }[]>(
          sql(
            `SELECT id FROM crm_contact WHERE id IN (${subject.contactIds.map((_, i) => `$${i + 1}`).join(', ')})`,
          ),
          subject.contactIds,
        );
        expect(left).toEqual([{ id: subject.contactIds[0] }]);
        const [{ n }] = await checker.query<{ n: string | number }[]>(
          sql(
            "SELECT COUNT(*) AS n FROM privacy_log WHERE request_id = $1 AND action IN ('contact_deleted', 'contact_anonymised')",
          ),
          [subject.requestId],
        );
        expect(Number(n)).toBe(CONTACTS);
      }
    }, 400_000);
  },
);
