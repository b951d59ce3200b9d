import { Body, Controller, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, Public } from '@custos/core';
import { AccessTokenDto, LoginDto } from './login.dto';
import { LoginService } from './login.service';

@ApiTags('authentication')
@Controller('auth')
export class AuthController {
  constructor(private readonly logins: LoginService) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary: 'Sign in with email and password',
    description:
      'Returns a short-lived access token for one account. Users of several accounts pass `accountId` ' +
      '(a 422 lists their accounts, and separately the accounts that invited them, otherwise). ' +
      'Naming the account of an invitation accepts it; so does a plain sign-in of someone invited to one account and member of none. ' +
      'Wrong email and wrong password get the same 401; repeated failures get 429.',
  })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiProblemResponses('unauthenticated', 'validation', 'rate_limited')
  login(@Body() body: LoginDto, @Ip() ip: string): Promise<AccessTokenDto> {
    return this.logins.login(body, ip);
  }
}
