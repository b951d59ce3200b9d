import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblemResponses,
  IdParam,
  PageQueryDto,
  RequirePrivilege,
  type Page,
} from '@custos/core';
import {
  AssignmentDto,
  AssignmentListDto,
  CreateAssignmentDto,
  CreateRoleDto,
  RoleDto,
  RolePageDto,
  UpdateRoleDto,
} from './role.dto';
import { RoleService } from './role.service';

@ApiTags('roles')
@ApiBearerAuth()
@ApiProblemResponses('unauthenticated', 'forbidden', 'validation')
@Controller('roles')
export class RolesController {
  constructor(private readonly roles: RoleService) {}

  @Get()
  @RequirePrivilege('manage_roles')
  @ApiOperation({ summary: 'List security roles' })
  @ApiOkResponse({ type: RolePageDto })
  list(@Query() query: PageQueryDto): Promise<Page<RoleDto>> {
    return this.roles.list(query);
  }

  @Post()
  @RequirePrivilege('manage_roles')
  @ApiOperation({
    summary: 'Create a role',
    description:
      'Record privileges at access levels, and task privileges — never more than you hold yourself (403 naming the item).',
  })
  @ApiCreatedResponse({ type: RoleDto })
  @ApiProblemResponses('conflict')
  create(@Body() body: CreateRoleDto): Promise<RoleDto> {
    return this.roles.create(body);
  }

  @Get(':roleId')
  @RequirePrivilege('manage_roles')
  @ApiOperation({ summary: 'Get a role' })
  @ApiOkResponse({ type: RoleDto })
  @ApiProblemResponses('not_found')
  get(@IdParam('roleId') id: string): Promise<RoleDto> {
    return this.roles.get(id);
  }

  @Patch(':roleId')
  @RequirePrivilege('manage_roles')
  @ApiOperation({
    summary: 'Change a role',
    description:
      "Takes effect on the holders' next request. Preview it first with POST /api/v1/access/preview. Refused (409) when it would take your own right to manage roles.",
  })
  @ApiOkResponse({ type: RoleDto })
  @ApiProblemResponses('not_found', 'conflict')
  update(@IdParam('roleId') id: string, @Body() body: UpdateRoleDto): Promise<RoleDto> {
    return this.roles.update(id, body);
  }

  @Delete(':roleId')
  @HttpCode(204)
  @RequirePrivilege('manage_roles')
  @ApiOperation({ summary: 'Delete a role, its assignments and its record rules' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblemResponses('not_found', 'conflict')
  async remove(@IdParam('roleId') id: string): Promise<void> {
    await this.roles.remove(id);
  }

  @Get(':roleId/assignments')
  @RequirePrivilege('manage_roles')
  @ApiOperation({ summary: 'Who holds a role (users and teams)' })
  @ApiOkResponse({ type: AssignmentListDto })
  @ApiProblemResponses('not_found')
  async assignments(@IdParam('roleId') id: string): Promise<AssignmentListDto> {
    return { results: await this.roles.assignments(id) };
  }

  @Post(':roleId/assignments')
  @RequirePrivilege('manage_roles')
  @ApiOperation({
    summary: 'Assign a role to a user or a team',
    description: 'Team members inherit it. You must hold everything the role grants.',
  })
  @ApiCreatedResponse({ type: AssignmentDto })
  @ApiProblemResponses('not_found', 'conflict')
  assign(@IdParam('roleId') id: string, @Body() body: CreateAssignmentDto): Promise<AssignmentDto> {
    return this.roles.assign(id, body);
  }

  @Delete(':roleId/assignments/:assignmentId')
  @HttpCode(204)
  @RequirePrivilege('manage_roles')
  @ApiOperation({ summary: 'Remove a role assignment' })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblemResponses('not_found', 'conflict')
  async unassign(
    @IdParam('roleId') id: string,
    @IdParam('assignmentId') assignmentId: string,
  ): Promise<void> {
    await this.roles.unassign(id, assignmentId);
  }
}
