import { testDatabaseKinds } from '@custos/core/testing';
import { Setup, expectStatus, type Caller, type PrivilegeInput } from './access/access-support';
import { createProperty, createRecords, uniqueName } from './crm/crm-support';
import { expectProblem, walkPages } from './support/api';
import {
  cellText,
  csvRowsById,
  exportCount,
  exportedFile,
  historyExport,
  jobCount,
  parseCsv,
  searchedRows,
  segmentExport,
  type ExportingUser,
} from './support/exports';
import { startTestServer, type TestServer } from './support/test-server';

/**
 * Issue 15, item 1 over HTTP for the two other selections: a saved segment, and property history.
 * Each file is compared with what the same user reads through the API (the segment's members
 * and the search; the record's history), and each has its attack.
 */

const contacts = (action: string, level: string): PrivilegeInput => ({
  objectType: 'contacts',
  action,
  level,
});

interface HistoryEntry {
  property: string;
  newValue?: string | number | boolean | null;
  changedAt: string;
  source: string;
  actor: { kind: string; id: string };
}

describe.each(testDatabaseKinds())('Segment and history exports over HTTP on %s', (kind) => {
  let server: TestServer;
  let setup: Setup;
  let admin: Caller;
  /** A number property everyone reads, and one only super admins read. */
  let score: string;
  let hidden: string;
  /** Reads and exports every contact. */
  let exporter: Awaited<ReturnType<Setup['userWithRole']>>;
  /** Reads and exports customers only (a record rule on both). */
  let ruled: Awaited<ReturnType<Setup['userWithRole']>>;
  let ids: string[];
  /** A German lead: in the segment, but not readable by `ruled`. */
  let germanLead: string;
  /** Shared with the account: German contacts. */
  let segmentId: string;
  /** The super admin's own. */
  let privateSegmentId: string;

  beforeAll(async () => {
    server = await startTestServer(kind);
    setup = new Setup(server, await server.login());
    admin = setup.admin;
    score = uniqueName('score');
    hidden = uniqueName('hidden');
    await createProperty(admin, 'contacts', { name: score, label: score, type: 'number' });
    await createProperty(admin, 'contacts', { name: hidden, label: hidden, type: 'string' });
    await setup.fieldPermissions('contacts', hidden, { view: [{ type: 'super_admins' }] });
    const exporting = {
      privileges: [contacts('read', 'account'), contacts('export', 'account')],
      taskPrivileges: ['export'],
    };
    exporter = await setup.userWithRole(exporting);
    ruled = await setup.userWithRole(exporting);
    await setup.rule({
      roleId: ruled.roleId,
      actions: ['read', 'export'],
      condition: { lifecyclestage: 'customer' },
    });
    const tag = uniqueName('tag');
    const created = await createRecords(
      admin,
      'contacts',
      Array.from({ length: 8 }, (_, i) => ({
        email: `s${i}-${tag}@exports.test`,
        firstname: tag,
        country: i % 2 === 0 ? 'DE' : 'FR',
        lifecyclestage: 'lead',
        [score]: i,
        [hidden]: `h${i}`,
      })),
    );
    ids = created.map((record) => record.id);
    germanLead = ids[0];
    // History: half of them become customers, and every score changes once.
    for (const [i, id] of ids.entries()) {
      expectStatus(
        await admin.patch(`/api/v1/objects/contacts/${id}`, {
          properties: {
            [score]: 10 + i,
            ...(i % 4 >= 2 ? { lifecyclestage: 'customer' } : {}),
          },
        }),
        200,
      );
    }
    const segment = (sharing: string) =>
      admin.post('/api/v1/segments', {
        name: uniqueName('seg'),
        objectType: 'contacts',
        sharing,
        filterGroups: [
          {
            filters: [
              { propertyName: 'country', operator: 'eq', value: 'DE' },
              { propertyName: 'firstname', operator: 'eq', value: tag },
            ],
          },
        ],
      });
    segmentId = (expectStatus(await segment('shared_read'), 201).body as { id: string }).id;
    privateSegmentId = (expectStatus(await segment('private'), 201).body as { id: string }).id;
  });

  afterAll(async () => server?.close());

  /** The segment's members as the user reads them, every page. */
  async function memberIds(caller: Caller, id: string): Promise<string[]> {
    const { pages } = await walkPages<{ id: string }>((after) =>
      caller.get(`/api/v1/segments/${id}/members`, { limit: 2, ...(after ? { after } : {}) }),
    );
    return pages.flat().map((record) => record.id);
  }

  /** The history rows of the records as the user reads them through the history API. */
  async function historyRows(
    caller: Caller,
    recordIds: string[],
    properties: string[],
  ): Promise<string[][]> {
    const rows: string[][] = [];
    for (const id of recordIds) {
      const { pages } = await walkPages<HistoryEntry>((after) =>
        caller.get(`/api/v1/objects/contacts/${id}/history`, {
          limit: 100,
          ...(after ? { after } : {}),
        }),
      );
      for (const entry of pages.flat()) {
        if (properties.includes(entry.property)) {
          rows.push([
            id,
            entry.property,
            cellText(entry.newValue),
            entry.changedAt,
            `${entry.actor.kind}:${entry.actor.id}`,
            entry.source,
          ]);
        }
      }
    }
    return rows.sort((a, b) => a.join('\t').localeCompare(b.join('\t')));
  }

  /** The rows of a history export's CSV, sorted as {@link historyRows} sorts them. */
  function historyFile(bytes: Buffer): string[][] {
    const [header, ...rows] = parseCsv(bytes);
    expect(header).toEqual([
      'record_id',
      'property',
      'value',
      'changed_at',
      'changed_by',
      'source',
    ]);
    return rows.sort((a, b) => a.join('\t').localeCompare(b.join('\t')));
  }

  /** Asks for `body` as `user`: refused with `status`, and nothing kept or queued. */
  async function refused(user: ExportingUser, body: object, status: number) {
    const [jobs, exports] = [await jobCount(server), await exportCount(server)];
    const response = await user.caller.post('/api/v1/exports', body);
    expectProblem(response, status);
    expect([await jobCount(server), await exportCount(server)]).toEqual([jobs, exports]);
    return response;
  }

  describe('a segment', () => {
    const properties = () => ['email', 'lifecyclestage', score];

    it.each([
      ['an account-level exporter', () => exporter, 4],
      ['a rule-restricted exporter', () => ruled, 2],
    ])(
      "the file of %s holds exactly the segment's members they read, with their search's values",
      async (_name, who, count) => {
        const user = who();
        const { done, bytes } = await exportedFile(
          server,
          user,
          segmentExport(segmentId, properties()),
        );
        const members = await memberIds(user.caller, segmentId);
        const segment = expectStatus(await user.caller.get(`/api/v1/segments/${segmentId}`), 200)
          .body as { filterGroups: unknown[] };
        const expected = await searchedRows(user.caller, properties(), segment.filterGroups);
        expect(members).toHaveLength(count);
        expect([...expected.keys()].sort()).toEqual([...members].sort());
        expect(csvRowsById(bytes, ['record_id', ...properties()])).toEqual(expected);
        expect(done.rowsTotal).toBe(members.length);
      },
    );

    it('a member the user may not read is not in their file (it is in the exporter’s)', async () => {
      const theirs = await exportedFile(server, ruled, segmentExport(segmentId, ['email']));
      const all = await exportedFile(server, exporter, segmentExport(segmentId, ['email']));
      expectProblem(await ruled.caller.get(`/api/v1/objects/contacts/${germanLead}`), 404);
      expect(csvRowsById(theirs.bytes, ['record_id', 'email']).has(germanLead)).toBe(false);
      expect(csvRowsById(all.bytes, ['record_id', 'email']).has(germanLead)).toBe(true);
      expect(theirs.bytes.toString('utf8')).not.toContain(germanLead);
    });

    it('an unknown segment, and another user’s private one, are 404 and queue nothing', async () => {
      await refused(exporter, segmentExport(ids[1], ['email']), 404);
      await refused(exporter, segmentExport(privateSegmentId, ['email']), 404);
    });

    it('an unreadable property is 403 naming it and queues nothing', async () => {
      const response = await refused(exporter, segmentExport(segmentId, ['email', hidden]), 403);
      expect(response.body.detail).toContain(hidden);
    });
  });

  describe('property history', () => {
    const properties = () => ['lifecyclestage', score];

    it.each([
      ['an account-level exporter', () => exporter],
      ['a rule-restricted exporter', () => ruled],
    ])(
      'the file of %s holds exactly the history entries they read through the history API',
      async (_name, who) => {
        const user = who();
        const { done, bytes } = await exportedFile(server, user, historyExport(properties(), ids));
        const readable: string[] = [];
        for (const id of ids) {
          const status = (await user.caller.get(`/api/v1/objects/contacts/${id}`)).status;
          if (status === 200) {
            readable.push(id);
          }
        }
        const expected = await historyRows(user.caller, readable, properties());
        expect(expected.length).toBeGreaterThan(0);
        expect(historyFile(bytes)).toEqual(expected);
        expect(done.rowsTotal).toBe(expected.length);
      },
    );

    it('a record the user may not read is left out though named, and no hidden value leaks', async () => {
      const { bytes } = await exportedFile(server, ruled, historyExport([score], ids));
      const records = new Set(historyFile(bytes).map(([id]) => id));
      expectProblem(await ruled.caller.get(`/api/v1/objects/contacts/${germanLead}/history`), 404);
      expect(records.has(germanLead)).toBe(false);
      expect(records.size).toBe(ids.length / 2);
      expect(bytes.toString('utf8')).not.toMatch(/\bh\d\b/);
    });

    it('a property whose history the user may not read is 403 naming it, and queues nothing', async () => {
      const response = await refused(exporter, historyExport([score, hidden], ids), 403);
      expect(response.body.detail).toContain(hidden);
    });
  });
});
