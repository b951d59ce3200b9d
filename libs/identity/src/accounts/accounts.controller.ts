import { Body, Controller, Get, Patch, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, Authenticated, RequirePrivilege } from '@custos/core';
import { AccountDto, AccountNameDto, MyAccountDto } from './account.dto';
import { AccountService } from './account.service';

@ApiTags('accounts')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'List the accounts you belong to',
    description: 'Sign in again with `accountId` to switch.',
  })
  @ApiOkResponse({ type: [MyAccountDto] })
  listMine(): Promise<MyAccountDto[]> {
    return this.accounts.listMine();
  }

  @Post()
  @Authenticated()
  @ApiOperation({ summary: 'Create a new account with you as its super admin' })
  @ApiCreatedResponse({ type: MyAccountDto })
  @ApiProblemResponses('validation')
  create(@Body() body: AccountNameDto): Promise<MyAccountDto> {
    return this.accounts.createForActor(body.name);
  }

  @Get('current')
  @Authenticated()
  @ApiOperation({ summary: 'Get the account of your token' })
  @ApiOkResponse({ type: AccountDto })
  getCurrent(): Promise<AccountDto> {
    return this.accounts.getCurrent();
  }

  @Patch('current')
  @RequirePrivilege('manage_account')
  @ApiOperation({ summary: 'Rename the account of your token' })
  @ApiOkResponse({ type: AccountDto })
  @ApiProblemResponses('validation')
  rename(@Body() body: AccountNameDto): Promise<AccountDto> {
    return this.accounts.rename(body.name);
  }
}
