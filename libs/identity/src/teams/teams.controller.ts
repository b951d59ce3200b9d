import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblemResponses,
  Authenticated,
  IdParam,
  PageQueryDto,
  RequirePrivilege,
  type Page,
} from '@custos/core';
import {
  CreateTeamDto,
  TeamDto,
  TeamMemberDto,
  TeamMemberPageDto,
  TeamMembersDto,
  TeamPageDto,
  UpdateTeamDto,
} from './team.dto';
import { TeamService } from './team.service';

@ApiTags('teams')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('teams')
export class TeamsController {
  constructor(private readonly teams: TeamService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'List the teams of this account' })
  @ApiOkResponse({ type: TeamPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: PageQueryDto): Promise<Page<TeamDto>> {
    return this.teams.list(query);
  }

  @Post()
  @RequirePrivilege('manage_teams')
  @ApiOperation({ summary: 'Create a team' })
  @ApiCreatedResponse({ type: TeamDto })
  @ApiProblemResponses('validation', 'conflict')
  create(@Body() body: CreateTeamDto): Promise<TeamDto> {
    return this.teams.create(body);
  }

  @Get(':teamId')
  @Authenticated()
  @ApiOperation({ summary: 'Get a team' })
  @ApiOkResponse({ type: TeamDto })
  @ApiProblemResponses('not_found', 'validation')
  get(@IdParam('teamId') teamId: string): Promise<TeamDto> {
    return this.teams.get(teamId);
  }

  @Patch(':teamId')
  @RequirePrivilege('manage_teams')
  @ApiOperation({ summary: 'Rename a team or change its description' })
  @ApiOkResponse({ type: TeamDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  update(@IdParam('teamId') teamId: string, @Body() body: UpdateTeamDto): Promise<TeamDto> {
    return this.teams.update(teamId, body);
  }

  @Delete(':teamId')
  @HttpCode(204)
  @RequirePrivilege('manage_teams')
  @ApiOperation({ summary: 'Delete a team', description: 'Its members stay in the account.' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblemResponses('not_found', 'validation')
  async remove(@IdParam('teamId') teamId: string): Promise<void> {
    await this.teams.remove(teamId);
  }

  @Get(':teamId/members')
  @Authenticated()
  @ApiOperation({ summary: 'List the members of a team' })
  @ApiOkResponse({ type: TeamMemberPageDto })
  @ApiProblemResponses('not_found', 'validation')
  listMembers(
    @IdParam('teamId') teamId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<TeamMemberDto>> {
    return this.teams.listMembers(teamId, query);
  }

  @Post(':teamId/members')
  @HttpCode(200)
  @RequirePrivilege('manage_teams')
  @ApiOperation({
    summary: 'Add users to a team',
    description: 'Users already in the team are left as they are.',
  })
  @ApiOkResponse({ type: TeamDto })
  @ApiProblemResponses('not_found', 'validation')
  addMembers(@IdParam('teamId') teamId: string, @Body() body: TeamMembersDto): Promise<TeamDto> {
    return this.teams.addMembers(teamId, body.userIds);
  }

  @Delete(':teamId/members/:userId')
  @HttpCode(204)
  @RequirePrivilege('manage_teams')
  @ApiOperation({ summary: 'Remove a user from a team' })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblemResponses('not_found', 'validation')
  async removeMember(
    @IdParam('teamId') teamId: string,
    @IdParam('userId') userId: string,
  ): Promise<void> {
    await this.teams.removeMember(teamId, userId);
  }
}
