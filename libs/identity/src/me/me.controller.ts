import { Body, Controller, Get, HttpCode, Patch, Post, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, Authenticated, RequestContext } from '@custos/core';
import { ChangePasswordDto } from '../auth/login.dto';
import { SignInReadsMe } from '../auth/authentication.guard';
import { LoginService } from '../auth/login.service';
import { MeDto, UpdateMeDto } from './me.dto';
import { MeService } from './me.service';

@ApiTags('me')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated')
@Controller('me')
export class MeController {
  constructor(
    private readonly me: MeService,
    private readonly logins: LoginService,
    private readonly context: RequestContext,
  ) {}

  @Get()
  @Authenticated()
  @SignInReadsMe()
  @ApiOperation({ summary: 'Who am I: actor, account, teams, business unit and privileges' })
  @ApiOkResponse({ type: MeDto })
  describe(): Promise<MeDto> {
    return this.me.describe();
  }

  @Patch()
  @Authenticated()
  @ApiOperation({
    summary: 'Change your display name',
    description: 'Your login is shared by all your accounts, so the name changes in all of them.',
  })
  @ApiOkResponse({ type: MeDto })
  @ApiProblemResponses('forbidden', 'validation')
  rename(@Body() body: UpdateMeDto): Promise<MeDto> {
    return this.me.rename(body);
  }

  @Put('password')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({
    summary: 'Change your password',
    description:
      'Requires the current password. Ends every access token of your login, this one included: sign in again.',
  })
  @ApiNoContentResponse({ description: 'Changed.' })
  @ApiProblemResponses('validation', 'conflict')
  async changePassword(@Body() body: ChangePasswordDto): Promise<void> {
    await this.logins.changePassword(this.context.requireActor(), body);
  }

  @Post('sign-out-everywhere')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({
    summary: 'Sign out everywhere',
    description:
      'Ends every access token of your login, in all your accounts and on every server, this one included: each is refused at its next request. Sign in again afterwards. Audited.',
  })
  @ApiNoContentResponse({ description: 'Every token issued so far is ended.' })
  @ApiProblemResponses('forbidden')
  async signOutEverywhere(): Promise<void> {
    await this.logins.signOutEverywhere(this.context.requireActor());
  }
}
