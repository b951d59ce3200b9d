/**
 * The permission matrix: who may do what to which records and fields. `matrix.e2e-spec.ts`
 * generates one test per cell of the FULL product actors × routes × records (and actors ×
 * fields, actors × admin routes) from this file. A cell that is not listed here is expected to
 * DENY: 401/403/404 for single-record and admin routes, "absent" for lists, "redacted" for
 * fields. Adding an allowance therefore always needs an explicit line here.
 *
 * The people and records (see `matrix.e2e-spec.ts` for the set-up):
 * - business units: root → sales → sales-de; root → support;
 * - teams: north (team lead, mate), south (stranger);
 * - team lead: sales, team north; role "contacts read + update at team";
 * - BU manager: sales, no team; role "contacts read + update + delete at business_unit_tree";
 * - restricted admin (partner-like): support; role "manage_users + contacts read at account",
 *   bound by a restrict rule of that role `country $in [DE, AT]`; `phone` is not on its view list;
 * - member: support, no role; super admin: the Demo admin;
 * - API key: made by the super admin with scope `view_audit_log`; it acts on records as its
 *   creator, and holds task privileges = scopes ∩ creator's.
 * - records (contacts; `phone` is viewable by the team-lead and BU-manager roles only):
 *   own = owned by the actor (the API key's: owned by its creator), country DE;
 *   teamMate = owned by mate (team north, unit sales-de), country DE;
 *   otherTeam = owned by stranger (team south, unit sales), country FR;
 *   otherBu = owned by outsider (no team, unit support), country AT;
 *   otherAccount = a contact of another account (same admin), country DE.
 */

export const ACTORS = [
  'anonymous',
  'member',
  'teamLead',
  'buManager',
  'restrictedAdmin',
  'superAdmin',
  'apiKey',
] as const;
export type MatrixActor = (typeof ACTORS)[number];

export const RECORD_KINDS = ['own', 'teamMate', 'otherTeam', 'otherBu', 'otherAccount'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** Routes on one record: the expected HTTP status (`restore`: of the record archived by its admin). */
export const RECORD_ROUTES = ['get', 'patch', 'delete', 'restore', 'history'] as const;
export type RecordRoute = (typeof RECORD_ROUTES)[number];

/** Routes listing records: whether the record is in the results ("visible") or not ("absent"). */
export const LIST_ROUTES = ['search', 'list'] as const;
export type ListRoute = (typeof LIST_ROUTES)[number];

/** Routes not about a record: the expected HTTP status. */
export const ADMIN_ROUTES = ['listUsers', 'createRole', 'auditLog'] as const;
export type AdminRoute = (typeof ADMIN_ROUTES)[number];

/** `email` is open to everyone who may read the record; `phone` is restricted. */
export const FIELDS = ['email', 'phone'] as const;
export type Field = (typeof FIELDS)[number];

export interface ActorExpectations {
  records?: Partial<Record<RecordRoute, Partial<Record<RecordKind, number>>>>;
  lists?: Partial<Record<ListRoute, Partial<Record<RecordKind, 'visible'>>>>;
  admin?: Partial<Record<AdminRoute, number>>;
  /** Checked on every record the actor may read, in get, list and search responses. */
  fields?: Partial<Record<Field, 'visible'>>;
}

/** Statuses that count as a denial where a cell is not listed. */
export const DENIED_STATUSES: readonly number[] = [401, 403, 404];

const everyKind = (status: number): Partial<Record<RecordKind, number>> => ({
  own: status,
  teamMate: status,
  otherTeam: status,
  otherBu: status,
});

export const MATRIX: Readonly<Record<MatrixActor, ActorExpectations>> = {
  anonymous: {
    records: {
      get: { ...everyKind(401), otherAccount: 401 },
      patch: { ...everyKind(401), otherAccount: 401 },
      delete: { ...everyKind(401), otherAccount: 401 },
      restore: { ...everyKind(401), otherAccount: 401 },
      history: { ...everyKind(401), otherAccount: 401 },
    },
    admin: { listUsers: 401, createRole: 401, auditLog: 401 },
  },

  // No role: nothing on records, not even their own; may see the directory.
  member: {
    records: {
      get: everyKind(404),
      patch: everyKind(404),
      delete: everyKind(404),
      restore: everyKind(404),
      history: everyKind(404),
    },
    admin: { listUsers: 200, createRole: 403, auditLog: 403 },
  },

  teamLead: {
    records: {
      get: { own: 200, teamMate: 200, otherTeam: 404, otherBu: 404 },
      patch: { own: 200, teamMate: 200, otherTeam: 404, otherBu: 404 },
      // May see but not delete: 403, not 404.
      delete: { own: 403, teamMate: 403, otherTeam: 404, otherBu: 404 },
      restore: { own: 403, teamMate: 403, otherTeam: 404, otherBu: 404 },
      history: { own: 200, teamMate: 200 },
    },
    lists: {
      search: { own: 'visible', teamMate: 'visible' },
      list: { own: 'visible', teamMate: 'visible' },
    },
    admin: { listUsers: 200, createRole: 403, auditLog: 403 },
    fields: { email: 'visible', phone: 'visible' },
  },

  // business_unit_tree of "sales": sales and sales-de, whatever the team.
  buManager: {
    records: {
      get: { own: 200, teamMate: 200, otherTeam: 200, otherBu: 404 },
      patch: { own: 200, teamMate: 200, otherTeam: 200, otherBu: 404 },
      delete: { own: 204, teamMate: 204, otherTeam: 204, otherBu: 404 },
      restore: { own: 200, teamMate: 200, otherTeam: 200, otherBu: 404 },
      history: { own: 200, teamMate: 200, otherTeam: 200 },
    },
    lists: {
      search: { own: 'visible', teamMate: 'visible', otherTeam: 'visible' },
      list: { own: 'visible', teamMate: 'visible', otherTeam: 'visible' },
    },
    admin: { listUsers: 200, createRole: 403, auditLog: 403 },
    fields: { email: 'visible', phone: 'visible' },
  },

  // Account-wide read narrowed to DE/AT; no update or delete; phone hidden.
  restrictedAdmin: {
    records: {
      get: { own: 200, teamMate: 200, otherTeam: 404, otherBu: 200 },
      patch: { own: 403, teamMate: 403, otherTeam: 404, otherBu: 403 },
      delete: { own: 403, teamMate: 403, otherTeam: 404, otherBu: 403 },
      restore: { own: 403, teamMate: 403, otherTeam: 404, otherBu: 403 },
      history: { own: 200, teamMate: 200, otherBu: 200 },
    },
    lists: {
      search: { own: 'visible', teamMate: 'visible', otherBu: 'visible' },
      list: { own: 'visible', teamMate: 'visible', otherBu: 'visible' },
    },
    admin: { listUsers: 200, createRole: 403, auditLog: 403 },
    fields: { email: 'visible' },
  },

  // Everything in their account; another account's records do not exist for them.
  superAdmin: {
    records: {
      get: { ...everyKind(200), otherAccount: 404 },
      patch: { ...everyKind(200), otherAccount: 404 },
      delete: { ...everyKind(204), otherAccount: 404 },
      restore: { ...everyKind(200), otherAccount: 404 },
      history: { ...everyKind(200), otherAccount: 404 },
    },
    lists: {
      search: { own: 'visible', teamMate: 'visible', otherTeam: 'visible', otherBu: 'visible' },
      list: { own: 'visible', teamMate: 'visible', otherTeam: 'visible', otherBu: 'visible' },
    },
    admin: { listUsers: 200, createRole: 201, auditLog: 200 },
    fields: { email: 'visible', phone: 'visible' },
  },

  // Records as its creator (a super admin); task privileges: its scope only.
  apiKey: {
    records: {
      get: { ...everyKind(200), otherAccount: 404 },
      patch: { ...everyKind(200), otherAccount: 404 },
      delete: { ...everyKind(204), otherAccount: 404 },
      restore: { ...everyKind(200), otherAccount: 404 },
      history: { ...everyKind(200), otherAccount: 404 },
    },
    lists: {
      search: { own: 'visible', teamMate: 'visible', otherTeam: 'visible', otherBu: 'visible' },
      list: { own: 'visible', teamMate: 'visible', otherTeam: 'visible', otherBu: 'visible' },
    },
    admin: { listUsers: 200, createRole: 403, auditLog: 200 },
    fields: { email: 'visible', phone: 'visible' },
  },
};

/** The expected outcome of a cell; unlisted cells deny. */
export type Expected =
  | { kind: 'status'; status: number }
  | { kind: 'denied' }
  | { kind: 'visible' }
  | { kind: 'absent' }
  | { kind: 'redacted' };

export function expectedRecordCell(
  actor: MatrixActor,
  route: RecordRoute,
  record: RecordKind,
): Expected {
  const status = MATRIX[actor].records?.[route]?.[record];
  return status === undefined ? { kind: 'denied' } : { kind: 'status', status };
}

export function expectedListCell(
  actor: MatrixActor,
  route: ListRoute,
  record: RecordKind,
): Expected {
  return MATRIX[actor].lists?.[route]?.[record] === 'visible'
    ? { kind: 'visible' }
    : { kind: 'absent' };
}

export function expectedAdminCell(actor: MatrixActor, route: AdminRoute): Expected {
  const status = MATRIX[actor].admin?.[route];
  return status === undefined ? { kind: 'denied' } : { kind: 'status', status };
}

export function expectedFieldCell(actor: MatrixActor, field: Field): Expected {
  return MATRIX[actor].fields?.[field] === 'visible' ? { kind: 'visible' } : { kind: 'redacted' };
}

export function describeExpected(expected: Expected): string {
  return expected.kind === 'status' ? String(expected.status) : expected.kind;
}
