import { Body, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiScimList, ApiScimRoute, ScimBaseUrl, ScimPageQuery, ScimController } from './scim-http';
import { parsePatchRequest, PATCH_OP_SCHEMA } from './scim-patch';
import type { ScimListResponse, ScimPage, ScimUserResource } from './scim-resources';
import { ScimUserService } from './scim-user.service';

const USER_EXAMPLE = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e',
  externalId: '00u1a2b3c4d5e6f7g8h9',
  userName: 'ada@example.com',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  displayName: 'Ada Lovelace',
  active: true,
  emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
  meta: {
    resourceType: 'User',
    created: '2026-12-05T18:42:00.000Z',
    lastModified: '2026-12-05T18:42:00.000Z',
    location: 'https://custos.example.com/scim/v2/Users/0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e',
  },
};

/** The answer of every route that answers a user. */
const USER_ANSWER = { status: 200, description: 'The user.', example: USER_EXAMPLE };

/**
 * SCIM 2.0 Users (RFC 7644) for Okta, Entra ID and other identity providers. `@Public()` to the
 * user authentication guard: {@link ScimAuthGuard} accepts a provisioning token and nothing else.
 */
@ScimController('Users')
export class ScimUsersController {
  constructor(private readonly users: ScimUserService) {}

  @Get()
  @ApiScimList({
    summary: 'List or find users (SCIM)',
    description:
      'Filters: `userName eq "…"` (case-insensitive), `externalId eq "…"`, `id eq "…"`, `displayName eq "…"`, `emails[type eq "work"].value eq "…"`; other filters are 400 `invalidFilter`. Paged by `startIndex` (1-based) and `count` (default 100, at most 1,000).',
    filter: 'userName eq "ada@example.com"',
    resource: USER_EXAMPLE,
  })
  list(
    @Query('filter') filter: string | undefined,
    @ScimPageQuery() page: ScimPage,
    @ScimBaseUrl() baseUrl: string,
  ): Promise<ScimListResponse<ScimUserResource>> {
    return this.users.list(filter, page, baseUrl);
  }

  @Get(':id')
  @ApiScimRoute({ summary: 'Get a user (SCIM)', answer: USER_ANSWER, errors: [404] })
  get(@Param('id') id: string, @ScimBaseUrl() baseUrl: string): Promise<ScimUserResource> {
    return this.users.get(id, baseUrl);
  }

  @Post()
  @ApiScimRoute({
    summary: 'Provision a user (SCIM)',
    description:
      '`userName` is the login email. The person becomes an active member (never a super admin) under an id of their own in this account; the answer is the same whether the email had a login elsewhere or not. The same `externalId` again answers the user it made (reactivated if `active`); another user with the same userName is 409 `uniqueness`. Unknown attributes are ignored.',
    body: { ...USER_EXAMPLE, id: undefined, meta: undefined },
    answer: { ...USER_ANSWER, status: 201 },
    errors: [400, 409],
  })
  create(@Body() body: unknown, @ScimBaseUrl() baseUrl: string): Promise<ScimUserResource> {
    return this.users.create(body, baseUrl);
  }

  @Put(':id')
  @ApiScimRoute({
    summary: 'Replace a user (SCIM)',
    description:
      'Okta sends the full user on every update. `active: false` deactivates the member (their sessions end at their next request); the last active super admin cannot be deactivated (409). userName cannot change (400 `mutability`).',
    body: { ...USER_EXAMPLE, meta: undefined, active: false },
    answer: USER_ANSWER,
    errors: [400, 404, 409],
  })
  replace(
    @Param('id') id: string,
    @Body() body: unknown,
    @ScimBaseUrl() baseUrl: string,
  ): Promise<ScimUserResource> {
    return this.users.replace(id, body, baseUrl);
  }

  @Patch(':id')
  @ApiScimRoute({
    summary: 'Update a user (SCIM PATCH)',
    description:
      'RFC 7644 PatchOp, and both dialects of Entra ID: the legacy one (`"op":"Replace"`, `"False"`) and the compliant one (a path-less replace with dotted and URN-prefixed keys). `active: false` deactivates (409 for the last super admin).',
    body: {
      schemas: [PATCH_OP_SCHEMA],
      Operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        {
          op: 'replace',
          value: {
            'name.givenName': 'Ada',
            'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'R&D',
          },
        },
      ],
    },
    answer: USER_ANSWER,
    errors: [400, 404, 409],
  })
  patch(
    @Param('id') id: string,
    @Body() body: unknown,
    @ScimBaseUrl() baseUrl: string,
  ): Promise<ScimUserResource> {
    return this.users.patch(id, parsePatchRequest(body), baseUrl);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiScimRoute({
    summary: 'Deprovision a user (SCIM)',
    description:
      'Removes the person from this account (their login and other accounts stay); 404 afterwards. The last super admin cannot be removed (409).',
    answer: { status: 204, description: 'Removed.' },
    errors: [404, 409],
  })
  remove(@Param('id') id: string): Promise<void> {
    return this.users.remove(id);
  }
}
