import { ScimErrors } from './scim.errors';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE_USER_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:user:';
const CORE_GROUP_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:group:';
const ENTERPRISE_PREFIX = `${ENTERPRISE_USER_SCHEMA.toLowerCase()}:`;
/** Operations per request: Entra ID batches member changes, bounded by the body limit anyway. */
const MAX_OPERATIONS = 10_000;

/** One operation of a PATCH request, `op` already lower-cased (Entra ID sends `Replace`). */
export interface ScimPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

/** The SCIM attributes of a user that Custos keeps; everything else a provider sends is ignored. */
export interface ScimUserAttributes {
  userName: string;
  active: boolean;
  externalId: string | null;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  workEmail: string | null;
  title: string | null;
  department: string | null;
}

type NullableUserAttribute = Exclude<keyof ScimUserAttributes, 'userName' | 'active'>;

/** A group as a PATCH sees it: its name and member ids, in the order they joined. */
export interface ScimGroupState {
  displayName: string;
  members: readonly string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a PATCH body (RFC 7644 §3.5.2) and normalises each operation's `op`. */
export function parsePatchRequest(body: unknown): ScimPatchOperation[] {
  if (!isObject(body) || !Array.isArray(body.Operations)) {
    throw ScimErrors.invalidSyntax(
      `A PATCH body is {"schemas":["${PATCH_OP_SCHEMA}"],"Operations":[…]}.`,
    );
  }
  if (body.Operations.length > MAX_OPERATIONS) {
    throw ScimErrors.invalidSyntax(`At most ${MAX_OPERATIONS} operations per request.`);
  }
  return body.Operations.map((operation: unknown, index) => {
    const op = isObject(operation) && typeof operation.op === 'string' ? operation.op : '';
    const normalised = op.toLowerCase();
    if (normalised !== 'add' && normalised !== 'replace' && normalised !== 'remove') {
      throw ScimErrors.invalidSyntax(`Operations[${index}].op must be add, replace or remove.`);
    }
    const { path, value } = operation as { path?: unknown; value?: unknown };
    if (path !== undefined && typeof path !== 'string') {
      throw ScimErrors.invalidSyntax(`Operations[${index}].path must be a string.`);
    }
    return { op: normalised, path: path === '' ? undefined : path, value };
  });
}

function stripPrefix(path: string, prefix: string): string {
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** Entra ID's legacy dialect sends booleans as `"True"`/`"False"`. */
function toBoolean(value: unknown, attribute: string): boolean {
  if (typeof value === 'boolean') {
    return value;
  }
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) {
    return value.toLowerCase() === 'true';
  }
  throw ScimErrors.invalidValue(attribute, 'must be a boolean');
}

function toText(value: unknown, attribute: string, maxLength: number): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw ScimErrors.invalidValue(attribute, 'must be a string');
  }
  const text = String(value).trim();
  if (text.length > maxLength) {
    throw ScimErrors.invalidValue(attribute, `must be at most ${maxLength} characters`);
  }
  return text === '' ? null : text;
}

/** The work address of an `emails` value: the one typed `work`, else the primary, else the first. */
export function workEmailOf(emails: unknown): string | null {
  const list = Array.isArray(emails) ? emails.filter(isObject) : isObject(emails) ? [emails] : [];
  const chosen =
    list.find((e) => typeof e.type === 'string' && e.type.toLowerCase() === 'work') ??
    list.find((e) => e.primary === true || e.primary === 'True' || e.primary === 'true') ??
    list[0];
  const value = toText(chosen?.value, 'emails', 320);
  return value?.toLowerCase() ?? null;
}

type UserAssignment =
  | { attribute: NullableUserAttribute; value: string | null }
  | { attribute: 'active'; value: boolean }
  | { attribute: 'userName'; value: string };

const TEXT_ATTRIBUTES: Readonly<Record<string, NullableUserAttribute>> = {
  externalid: 'externalId',
  displayname: 'displayName',
  'name.givenname': 'givenName',
  'name.familyname': 'familyName',
  title: 'title',
};
const MAX_LENGTHS: Readonly<Record<NullableUserAttribute, number>> = {
  externalId: 255,
  displayName: 200,
  givenName: 200,
  familyName: 200,
  workEmail: 320,
  title: 200,
  department: 200,
};

/**
 * What setting `path` to `value` assigns, for a path with or without its schema URN, a dotted
 * sub-attribute, or a complex value (`name`, the enterprise extension); unknown paths assign
 * nothing (ignored, as RFC 7644 lets a service provider do with attributes it does not keep).
 */
function userAssignments(rawPath: string, value: unknown): UserAssignment[] {
  const lower = rawPath.toLowerCase();
  if (lower === ENTERPRISE_USER_SCHEMA.toLowerCase()) {
    return isObject(value)
      ? Object.entries(value).flatMap(([k, v]) => userAssignments(`${ENTERPRISE_PREFIX}${k}`, v))
      : [];
  }
  if (lower.startsWith(ENTERPRISE_PREFIX)) {
    return stripPrefix(lower, ENTERPRISE_PREFIX) === 'department'
      ? [{ attribute: 'department', value: toText(value, 'department', MAX_LENGTHS.department) }]
      : [];
  }
  const path = stripPrefix(lower, CORE_USER_PREFIX);
  if (path === 'name') {
    return isObject(value)
      ? Object.entries(value).flatMap(([k, v]) => userAssignments(`name.${k}`, v))
      : [];
  }
  if (path === 'active') {
    return [{ attribute: 'active', value: toBoolean(value, 'active') }];
  }
  if (path === 'username') {
    const userName = toText(value, 'userName', 320);
    if (!userName) {
      throw ScimErrors.invalidValue('userName', 'is required');
    }
    return [{ attribute: 'userName', value: userName.toLowerCase() }];
  }
  if (path === 'emails') {
    return [{ attribute: 'workEmail', value: workEmailOf(value) }];
  }
  if (/^emails\[\s*type\s+eq\s+"work"\s*\]\.value$/.test(path)) {
    return [{ attribute: 'workEmail', value: toText(value, 'emails', 320)?.toLowerCase() ?? null }];
  }
  // Own keys only: `constructor` is no attribute of ours, whatever every object says.
  const attribute = Object.hasOwn(TEXT_ATTRIBUTES, path) ? TEXT_ATTRIBUTES[path] : undefined;
  return attribute ? [{ attribute, value: toText(value, attribute, MAX_LENGTHS[attribute]) }] : [];
}

function assign(state: ScimUserAttributes, assignment: UserAssignment): ScimUserAttributes {
  if (assignment.attribute === 'userName' && assignment.value !== state.userName) {
    throw ScimErrors.userNameChanged();
  }
  return { ...state, [assignment.attribute]: assignment.value };
}

/**
 * Applies a PATCH to a user, whichever dialect wrote it: RFC 7644 paths, Entra ID's legacy one
 * (`"op":"Replace"`, `"False"`) and its compliant one (a path-less `replace` whose value has
 * dotted and URN-prefixed keys). Pure: the service stores the difference.
 */
export function applyUserPatch(
  state: ScimUserAttributes,
  operations: readonly ScimPatchOperation[],
): ScimUserAttributes {
  let next = state;
  for (const operation of operations) {
    if (operation.op === 'remove') {
      if (!operation.path) {
        throw ScimErrors.invalidValue('path', 'is required to remove');
      }
      for (const assignment of userAssignments(operation.path, null)) {
        if (assignment.attribute === 'active' || assignment.attribute === 'userName') {
          throw ScimErrors.invalidValue(assignment.attribute, 'cannot be removed');
        }
        next = assign(next, { attribute: assignment.attribute, value: null });
      }
      continue;
    }
    const assignments = operation.path
      ? userAssignments(operation.path, operation.value)
      : isObject(operation.value)
        ? Object.entries(operation.value).flatMap(([key, value]) => userAssignments(key, value))
        : [];
    for (const assignment of assignments) {
      next = assign(next, assignment);
    }
  }
  return next;
}

/** The member ids of a `members` value: `[{"value":"…"}]`, one such object, or none. */
export function memberIdsOf(value: unknown): string[] {
  if (value === undefined || value === null) {
    return [];
  }
  const list = Array.isArray(value) ? value : [value];
  return list.map((member, index) => {
    const id = isObject(member) ? member.value : undefined;
    if (typeof id !== 'string' || id.length === 0 || id.length > 64) {
      throw ScimErrors.invalidValue(`members[${index}].value`, 'must be a user id');
    }
    return id;
  });
}

const MEMBER_FILTER = /^members\[\s*value\s+eq\s+("(?:[^"\\]|\\.)*")\s*\]$/i;

/**
 * Applies a PATCH to a group: add, remove (by value array, Entra ID's legacy form, or by filter
 * `members[value eq "…"]`, its compliant one) and replace of members and `displayName`. Exactly
 * what it says and nothing more: adding a member twice or removing a non-member changes nothing.
 */
export function applyGroupPatch(
  state: ScimGroupState,
  operations: readonly ScimPatchOperation[],
): ScimGroupState {
  let displayName = state.displayName;
  const members = new Set(state.members);
  const apply = (op: ScimPatchOperation['op'], path: string, value: unknown): void => {
    const lower = stripPrefix(path.toLowerCase(), CORE_GROUP_PREFIX);
    const filtered = MEMBER_FILTER.exec(path);
    if (filtered) {
      if (op !== 'remove') {
        throw ScimErrors.invalidValue(
          'path',
          'a filtered members path is supported for remove only',
        );
      }
      members.delete(JSON.parse(filtered[1]) as string);
    } else if (lower === 'members') {
      const ids = memberIdsOf(value);
      if (op === 'replace') {
        members.clear();
      }
      if (op === 'remove' && (value === undefined || value === null)) {
        members.clear();
      }
      for (const id of ids) {
        if (op === 'remove') {
          members.delete(id);
        } else {
          members.add(id);
        }
      }
    } else if (lower === 'displayname') {
      const name = op === 'remove' ? null : toText(value, 'displayName', 200);
      if (!name) {
        throw ScimErrors.invalidValue('displayName', 'is required');
      }
      displayName = name;
    }
  };
  for (const operation of operations) {
    if (operation.path) {
      apply(operation.op, operation.path, operation.value);
    } else if (operation.op !== 'remove' && isObject(operation.value)) {
      for (const [key, value] of Object.entries(operation.value)) {
        apply(operation.op, key, value);
      }
    } else {
      throw ScimErrors.invalidValue('path', 'is required to remove');
    }
  }
  return { displayName, members: [...members] };
}
