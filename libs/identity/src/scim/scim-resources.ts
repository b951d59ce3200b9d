import { ENTERPRISE_USER_SCHEMA, type ScimUserAttributes } from './scim-patch';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
/** Largest `count` served per page; larger requests get this many (RFC 7644 §3.4.2.4). */
export const MAX_SCIM_PAGE = 1000;
/** Page size when the client sends no `count`. */
export const DEFAULT_SCIM_PAGE = 100;

export interface ScimMeta {
  resourceType: 'User' | 'Group';
  created: string;
  lastModified: string;
  location: string;
}

/** A page of resources (RFC 7644 §3.4.2): the numbers are JSON numbers, as Okta requires. */
export interface ScimListResponse<T> {
  schemas: [typeof LIST_RESPONSE_SCHEMA];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: T[];
}

/** `startIndex` and `count` of a list request, validated (1-based, `count` capped). */
export interface ScimPage {
  startIndex: number;
  count: number;
}

export function listResponse<T>(
  total: number,
  page: ScimPage,
  resources: T[],
): ScimListResponse<T> {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: total,
    startIndex: page.startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

/** A user resource with the attributes Custos keeps (unassigned ones are omitted). */
export interface ScimUserResource {
  schemas: string[];
  id: string;
  externalId?: string;
  userName: string;
  name?: { givenName?: string; familyName?: string };
  displayName: string;
  active: boolean;
  emails: { value: string; type: 'work'; primary: true }[];
  title?: string;
  [ENTERPRISE_USER_SCHEMA]?: { department: string };
  meta: ScimMeta;
}

export interface ScimGroupResource {
  schemas: [typeof GROUP_SCHEMA];
  id: string;
  displayName: string;
  members?: { value: string; display: string; $ref: string }[];
  meta: ScimMeta;
}

export function userResource(
  id: string,
  attributes: ScimUserAttributes,
  dates: { created: Date; lastModified: Date },
  baseUrl: string,
): ScimUserResource {
  const name = {
    ...(attributes.givenName ? { givenName: attributes.givenName } : {}),
    ...(attributes.familyName ? { familyName: attributes.familyName } : {}),
  };
  return {
    schemas: attributes.department ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [USER_SCHEMA],
    id,
    ...(attributes.externalId ? { externalId: attributes.externalId } : {}),
    userName: attributes.userName,
    ...(Object.keys(name).length > 0 ? { name } : {}),
    displayName: attributes.displayName ?? attributes.userName,
    active: attributes.active,
    emails: [{ value: attributes.workEmail ?? attributes.userName, type: 'work', primary: true }],
    ...(attributes.title ? { title: attributes.title } : {}),
    ...(attributes.department
      ? { [ENTERPRISE_USER_SCHEMA]: { department: attributes.department } }
      : {}),
    meta: {
      resourceType: 'User',
      created: dates.created.toISOString(),
      lastModified: dates.lastModified.toISOString(),
      location: `${baseUrl}/Users/${id}`,
    },
  };
}
