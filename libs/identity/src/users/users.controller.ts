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
  RequirePrivilege,
  type Page,
} from '@custos/core';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserDto, UserPageDto } from './user.dto';
import { UserService } from './user.service';

@ApiTags('users')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UserService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'List the users of this account' })
  @ApiOkResponse({ type: UserPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: ListUsersQueryDto): Promise<Page<UserDto>> {
    return this.users.list(query);
  }

  @Post()
  @RequirePrivilege('manage_users')
  @ApiOperation({
    summary: 'Invite a user to this account',
    description:
      'Adds the user with status `invited`: no access until the person accepts by signing in with their own credentials and this account. ' +
      'Creates the login (with `password`) when the email is new; an existing login keeps its password and name. ' +
      'The answer is the same either way: it never tells whether the email has a login elsewhere. Only super admins may add super admins.',
  })
  @ApiCreatedResponse({ type: UserDto })
  @ApiProblemResponses('validation', 'conflict')
  create(@Body() body: CreateUserDto): Promise<UserDto> {
    return this.users.create(body);
  }

  @Get(':userId')
  @Authenticated()
  @ApiOperation({ summary: 'Get a user of this account' })
  @ApiOkResponse({ type: UserDto })
  @ApiProblemResponses('not_found', 'validation')
  get(@IdParam('userId') userId: string): Promise<UserDto> {
    return this.users.get(userId);
  }

  @Patch(':userId')
  @RequirePrivilege('manage_users')
  @ApiOperation({
    summary: 'Update a user: super admin, status, business unit',
    description:
      'Refused with 409 when it would leave the account without an active super admin, or when it changes the status of an invitation. ' +
      "Deactivating or revoking super admin ends the user's access tokens: they sign in again.",
  })
  @ApiOkResponse({ type: UserDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  update(@IdParam('userId') userId: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    return this.users.update(userId, body);
  }

  @Delete(':userId')
  @HttpCode(204)
  @RequirePrivilege('manage_users')
  @ApiOperation({
    summary: 'Remove a user from this account',
    description:
      'Withdraws an invitation too. Their login and memberships of other accounts stay; their tokens for this account end for good. Refused with 409 for the last super admin.',
  })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  async remove(@IdParam('userId') userId: string): Promise<void> {
    await this.users.remove(userId);
  }
}
