import { Get } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { ScimBaseUrl, ScimController } from './scim-http';
import { ENTERPRISE_USER_SCHEMA } from './scim-patch';
import { GROUP_SCHEMA, LIST_RESPONSE_SCHEMA, MAX_SCIM_PAGE, USER_SCHEMA } from './scim-resources';

const string = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

/** What Custos keeps of each schema (RFC 7643 §7); other attributes are accepted and ignored. */
const SCHEMAS = [
  {
    id: USER_SCHEMA,
    name: 'User',
    attributes: [
      string('userName', { required: true, uniqueness: 'server', mutability: 'immutable' }),
      string('externalId', { caseExact: true }),
      string('displayName'),
      {
        ...string('name'),
        type: 'complex',
        subAttributes: [string('givenName'), string('familyName')],
      },
      { ...string('active'), type: 'boolean' },
      {
        ...string('emails'),
        type: 'complex',
        multiValued: true,
        subAttributes: [string('value'), string('type'), { ...string('primary'), type: 'boolean' }],
      },
      string('title'),
    ],
  },
  { id: ENTERPRISE_USER_SCHEMA, name: 'EnterpriseUser', attributes: [string('department')] },
  {
    id: GROUP_SCHEMA,
    name: 'Group',
    attributes: [
      string('displayName', { required: true, uniqueness: 'server' }),
      {
        ...string('members'),
        type: 'complex',
        multiValued: true,
        subAttributes: [
          string('value', { caseExact: true }),
          string('display', { mutability: 'readOnly' }),
        ],
      },
    ],
  },
];

function list<T>(resources: T[]) {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

/** SCIM discovery (RFC 7644 §4): what this service provider supports. */
@ScimController()
export class ScimDiscoveryController {
  @Get('ServiceProviderConfig')
  @ApiOperation({ summary: 'What this SCIM service supports (SCIM)' })
  @ApiResponse({
    status: 200,
    description: 'PATCH and filter yes; bulk, sort, ETags and password change no.',
  })
  serviceProviderConfig(@ScimBaseUrl() baseUrl: string): Record<string, unknown> {
    return {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      documentationUri: `${baseUrl.replace(/\/scim\/v2$/, '')}/docs`,
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: MAX_SCIM_PAGE },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
      authenticationSchemes: [
        {
          type: 'oauthbearertoken',
          name: 'Provisioning token',
          description:
            'A provisioning token made by a super admin, as `Authorization: Bearer <token>`.',
          primary: true,
        },
      ],
      meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
    };
  }

  @Get('Schemas')
  @ApiOperation({ summary: 'The schemas and attributes Custos keeps (SCIM)' })
  @ApiResponse({ status: 200, description: 'A ListResponse of schemas.' })
  schemas(@ScimBaseUrl() baseUrl: string): Record<string, unknown> {
    return list(
      SCHEMAS.map((schema) => ({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
        ...schema,
        meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
      })),
    );
  }

  @Get('ResourceTypes')
  @ApiOperation({ summary: 'The resource types: User and Group (SCIM)' })
  @ApiResponse({ status: 200, description: 'A ListResponse of resource types.' })
  resourceTypes(@ScimBaseUrl() baseUrl: string): Record<string, unknown> {
    const type = (name: 'User' | 'Group', schema: string, extensions: string[]) => ({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: name,
      name,
      endpoint: `/${name}s`,
      schema,
      schemaExtensions: extensions.map((id) => ({ schema: id, required: false })),
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${name}` },
    });
    return list([
      type('User', USER_SCHEMA, [ENTERPRISE_USER_SCHEMA]),
      type('Group', GROUP_SCHEMA, []),
    ]);
  }
}
