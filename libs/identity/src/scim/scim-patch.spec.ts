import fc from 'fast-check';
import {
  applyGroupPatch,
  applyUserPatch,
  ENTERPRISE_USER_SCHEMA,
  parsePatchRequest,
  PATCH_OP_SCHEMA,
  type ScimUserAttributes,
} from './scim-patch';
import { parseScimFilter } from './scim-filter';

const START: ScimUserAttributes = {
  userName: 'ada@example.com',
  active: true,
  externalId: 'ext-1',
  displayName: 'Ada',
  givenName: 'Ada',
  familyName: 'Lovelace',
  workEmail: 'ada@example.com',
  title: null,
  department: 'R&D',
};

/** An operation as a client sends it, before parsing. */
interface RawOperation {
  op: string;
  path?: string;
  value?: unknown;
}

const parsed = (operations: RawOperation[]) =>
  parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: operations });

/** What an administrator changed in the identity provider: each attribute maybe. */
const userIntent = fc.record(
  {
    active: fc.boolean(),
    givenName: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && s !== ''),
    familyName: fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((s) => s.trim() === s && s !== ''),
    department: fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((s) => s.trim() === s && s !== ''),
  },
  { requiredKeys: [] },
);
type UserIntent = typeof userIntent extends fc.Arbitrary<infer T> ? T : never;

const PATHS = {
  active: 'active',
  givenName: 'name.givenName',
  familyName: 'name.familyName',
  department: `${ENTERPRISE_USER_SCHEMA}:department`,
} as const;

/** RFC 7644: one operation per attribute with a path, real booleans. */
function plain(intent: UserIntent): RawOperation[] {
  return Object.entries(intent).map(([key, value]) => ({
    op: 'replace',
    path: PATHS[key as keyof UserIntent],
    value,
  }));
}

/** Entra ID, legacy: `Replace` capitalised, booleans as strings. */
function entraLegacy(intent: UserIntent): RawOperation[] {
  return Object.entries(intent).map(([key, value]) => ({
    op: 'Replace',
    path: key === 'active' ? 'active' : PATHS[key as keyof UserIntent],
    value: typeof value === 'boolean' ? (value ? 'True' : 'False') : value,
  }));
}

/** Entra ID, compliant: one path-less replace, dotted and URN-prefixed keys. */
function entraCompliant(intent: UserIntent): RawOperation[] {
  return [
    {
      op: 'replace',
      value: Object.fromEntries(
        Object.entries(intent).map(([key, value]) => [PATHS[key as keyof UserIntent], value]),
      ),
    },
  ];
}

/** Nested objects, as some clients send them. */
function nested(intent: UserIntent): RawOperation[] {
  const name = {
    ...(intent.givenName !== undefined ? { givenName: intent.givenName } : {}),
    ...(intent.familyName !== undefined ? { familyName: intent.familyName } : {}),
  };
  return [
    {
      op: 'add',
      value: {
        ...(intent.active !== undefined ? { active: intent.active } : {}),
        ...(Object.keys(name).length ? { name } : {}),
        ...(intent.department !== undefined
          ? { [ENTERPRISE_USER_SCHEMA]: { department: intent.department } }
          : {}),
      },
    },
  ];
}

describe('SCIM PATCH', () => {
  it('every dialect of a user change yields the state the intent describes', () => {
    fc.assert(
      fc.property(userIntent, (intent) => {
        const expected = { ...START, ...intent };
        for (const dialect of [plain, entraLegacy, entraCompliant, nested]) {
          expect(applyUserPatch(START, parsed(dialect(intent)))).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  const ids = fc.constantFrom('u1', 'u2', 'u3', 'u4', 'u5');
  const memberChange = fc.record({
    add: fc.boolean(),
    ids: fc.uniqueArray(ids, { minLength: 1, maxLength: 3 }),
  });

  it('every dialect of group member changes yields the model set, exactly', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(ids),
        fc.array(memberChange, { maxLength: 6 }),
        (initial, changes) => {
          const model = new Set(initial);
          for (const change of changes) {
            change.ids.forEach((id) => (change.add ? model.add(id) : model.delete(id)));
          }
          const value = (list: string[]) => list.map((id) => ({ value: id }));
          const plainOps = changes.flatMap((c): RawOperation[] =>
            c.add
              ? [{ op: 'add', path: 'members', value: value(c.ids) }]
              : c.ids.map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` })),
          );
          const legacyOps = changes.map((c): RawOperation => ({
            op: c.add ? 'add' : 'remove',
            path: 'members',
            value: value(c.ids),
          }));
          const compliantOps = changes.flatMap((c): RawOperation[] =>
            c.add
              ? [{ op: 'add', value: { members: value(c.ids) } }]
              : c.ids.map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` })),
          );
          for (const ops of [plainOps, legacyOps, compliantOps]) {
            const after = applyGroupPatch({ displayName: 'G', members: initial }, parsed(ops));
            expect(new Set(after.members)).toEqual(model);
            expect(after.members).toHaveLength(model.size);
            expect(after.displayName).toBe('G');
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('ignores attributes it does not keep, never a super-admin flag', () => {
    expect(
      applyUserPatch(START, [
        { op: 'add', path: 'superAdmin', value: true },
        { op: 'replace', value: { roles: [{ value: 'super_admin' }], locale: 'en' } },
        { op: 'replace', path: 'constructor', value: 'x' },
        { op: 'replace', value: { constructor: { x: 1 }, 'name.constructor': 'x' } },
      ]),
    ).toEqual(START);
  });

  it('refuses a changed userName, a non-boolean active and a remove without path', () => {
    expect(() =>
      applyUserPatch(START, [{ op: 'replace', path: 'userName', value: 'x@y.z' }]),
    ).toThrow(/userName/);
    expect(() =>
      applyUserPatch(START, [{ op: 'replace', path: 'active', value: 'maybe' }]),
    ).toThrow(/active/);
    expect(() => applyGroupPatch({ displayName: 'G', members: [] }, [{ op: 'remove' }])).toThrow(
      /path/,
    );
  });
});

describe(parseScimFilter.name, () => {
  const attributes = { username: 'u', 'emails[type eq "work"].value': 'e' } as const;

  it.each([
    ['userName eq "a@b.c"', 'u', 'a@b.c'],
    ['USERNAME EQ "A@B.C"', 'u', 'A@B.C'],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"', 'u', 'x'],
    ['emails[type eq "work"].value eq "w@b.c"', 'e', 'w@b.c'],
    ['userName eq "quo\\"te"', 'u', 'quo"te'],
  ])('parses %s', (filter, attribute, value) => {
    expect(parseScimFilter(filter, attributes)).toEqual({ attribute, value });
  });

  it.each([
    'userName sw "a"',
    'userName eq "a" and userName eq "b"',
    'userName eq "a" or title eq "b"',
    'title eq "a"',
    'userName eq 5',
    'emails[type eq "home"].value eq "a"',
    // Names every object has: never an attribute, or the filter would be dropped (everyone back).
    'constructor eq "a"',
    'urn:ietf:params:scim:schemas:core:2.0:User:constructor eq "a"',
    'hasOwnProperty eq "a"',
    // A NUL escape decodes past the validation pipe's NUL check: PostgreSQL would fail (500).
    'userName eq "a\\u0000b"',
    '',
  ])('refuses %s with invalidFilter', (filter) => {
    expect(() => parseScimFilter(filter, attributes)).toThrow(
      expect.objectContaining({ options: { extensions: { scimType: 'invalidFilter' } } }),
    );
  });
});
