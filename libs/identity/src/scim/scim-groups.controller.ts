import { Body, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { ScimGroupService } from './scim-group.service';
import { ApiScimList, ApiScimRoute, ScimBaseUrl, ScimPageQuery, ScimController } from './scim-http';
import { parsePatchRequest, PATCH_OP_SCHEMA } from './scim-patch';
import type { ScimGroupResource, ScimListResponse, ScimPage } from './scim-resources';

const GROUP_EXAMPLE = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  id: '0193a6c4-7f1e-7c3a-9d1e-000000000010',
  displayName: 'Northern Europe',
  members: [
    {
      value: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e',
      display: 'ada@example.com',
      $ref: 'https://custos.example.com/scim/v2/Users/0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e',
    },
  ],
  meta: {
    resourceType: 'Group',
    created: '2026-12-05T18:42:00.000Z',
    lastModified: '2026-12-05T18:42:00.000Z',
    location: 'https://custos.example.com/scim/v2/Groups/0193a6c4-7f1e-7c3a-9d1e-000000000010',
  },
};

function excludesMembers(excludedAttributes: string | undefined): boolean {
  return (excludedAttributes ?? '')
    .toLowerCase()
    .split(',')
    .map((a) => a.trim())
    .includes('members');
}

/** The answer of every route that answers a group with its members. */
const GROUP_ANSWER = { status: 200, description: 'The group.', example: GROUP_EXAMPLE };
const EXCLUDED_ATTRIBUTES = { name: 'excludedAttributes', required: false, example: 'members' };

/** SCIM 2.0 Groups: the account's teams. Same gate as {@link ScimUsersController}. */
@ScimController('Groups')
export class ScimGroupsController {
  constructor(private readonly groups: ScimGroupService) {}

  @Get()
  @ApiScimList({
    summary: 'List or find groups (SCIM)',
    description:
      'Filters: `displayName eq "…"` (case-insensitive), `id eq "…"`. `excludedAttributes=members` leaves members out. Paged by `startIndex` and `count` (default 100, at most 1,000).',
    filter: 'displayName eq "Northern Europe"',
    resource: GROUP_EXAMPLE,
  })
  @ApiQuery(EXCLUDED_ATTRIBUTES)
  list(
    @Query('filter') filter: string | undefined,
    @Query('excludedAttributes') excluded: string | undefined,
    @ScimPageQuery() page: ScimPage,
    @ScimBaseUrl() baseUrl: string,
  ): Promise<ScimListResponse<ScimGroupResource>> {
    return this.groups.list(filter, page, !excludesMembers(excluded), baseUrl);
  }

  @Get(':id')
  @ApiScimRoute({ summary: 'Get a group (SCIM)', answer: GROUP_ANSWER, errors: [404] })
  @ApiQuery(EXCLUDED_ATTRIBUTES)
  get(
    @Param('id') id: string,
    @Query('excludedAttributes') excluded: string | undefined,
    @ScimBaseUrl() baseUrl: string,
  ): Promise<ScimGroupResource> {
    return this.groups.get(id, !excludesMembers(excluded), baseUrl);
  }

  @Post()
  @ApiScimRoute({
    summary: 'Create a group (SCIM)',
    description:
      'A team; `members` are user ids of this account. Same name again is 409 `uniqueness`.',
    body: {
      schemas: GROUP_EXAMPLE.schemas,
      displayName: 'Northern Europe',
      members: [{ value: GROUP_EXAMPLE.members[0].value }],
    },
    answer: { ...GROUP_ANSWER, status: 201 },
    errors: [400, 409],
  })
  create(@Body() body: unknown, @ScimBaseUrl() baseUrl: string): Promise<ScimGroupResource> {
    return this.groups.create(body, baseUrl);
  }

  @Put(':id')
  @ApiScimRoute({
    summary: 'Replace a group (SCIM)',
    description: 'The group becomes exactly the name and members sent.',
    body: { schemas: GROUP_EXAMPLE.schemas, displayName: 'Northern Europe', members: [] },
    answer: GROUP_ANSWER,
    errors: [400, 404, 409],
  })
  replace(
    @Param('id') id: string,
    @Body() body: unknown,
    @ScimBaseUrl() baseUrl: string,
  ): Promise<ScimGroupResource> {
    return this.groups.replace(id, body, baseUrl);
  }

  @Patch(':id')
  @ApiScimRoute({
    summary: 'Update a group (SCIM PATCH)',
    description:
      'Add, remove and replace members and displayName, in RFC 7644 form and both Entra ID dialects (legacy: `Remove` with a value array; compliant: `members[value eq "…"]`). Applies exactly what it says. Answers the group without its members.',
    body: {
      schemas: [PATCH_OP_SCHEMA],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: GROUP_EXAMPLE.members[0].value }] },
        { op: 'remove', path: `members[value eq "${GROUP_EXAMPLE.members[0].value}"]` },
      ],
    },
    answer: {
      status: 200,
      description: 'The group (without members).',
      example: { ...GROUP_EXAMPLE, members: undefined },
    },
    errors: [400, 404, 409],
  })
  patch(
    @Param('id') id: string,
    @Body() body: unknown,
    @ScimBaseUrl() baseUrl: string,
  ): Promise<ScimGroupResource> {
    return this.groups.patch(id, parsePatchRequest(body), baseUrl);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiScimRoute({
    summary: 'Delete a group (SCIM)',
    description: 'Deletes the team; its members stay in the account.',
    answer: { status: 204, description: 'Deleted.' },
    errors: [404],
  })
  remove(@Param('id') id: string): Promise<void> {
    return this.groups.remove(id);
  }
}
