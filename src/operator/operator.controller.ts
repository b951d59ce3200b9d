import { Body, Controller, Get, Patch, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, IdParam, Public } from '@custos/core';
import { OperatorTokenGuard } from './operator-token.guard';
import { OperatorAccountDto, UpdateOperatorAccountDto } from './operator.dto';
import { OperatorService } from './operator.service';

/**
 * For the platform operator, not for account users: `@Public()` keeps the user authentication
 * guard out of the way, and {@link OperatorTokenGuard} demands the operator token instead.
 */
@ApiTags('operator')
@ApiSecurity('operator-token')
@ApiParam({ name: 'accountId', example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
@ApiProblemResponses('unauthenticated', 'not_found', 'validation')
@Public()
@UseGuards(OperatorTokenGuard)
@Controller('api/v1/operator/accounts')
export class OperatorController {
  constructor(private readonly operator: OperatorService) {}

  @Get(':accountId')
  @ApiOperation({
    summary: "An account's edition and data region (operator)",
    description:
      'Needs the operator token in `X-Operator-Token`; 404 when the server has no operator token configured.',
  })
  @ApiOkResponse({ type: OperatorAccountDto })
  get(@IdParam('accountId') accountId: string): Promise<OperatorAccountDto> {
    return this.operator.get(accountId);
  }

  @Patch(':accountId')
  @ApiOperation({
    summary: "Change an account's edition or data region (operator)",
    description:
      'Needs the operator token in `X-Operator-Token`. The edition may change at any time; the ' +
      'data region cannot while the account has sensitive data enabled (409 ' +
      "`sensitive_data.region_locked`). Each change is audited in the account's log as the " +
      'platform operator, with before and after.',
  })
  @ApiOkResponse({ type: OperatorAccountDto })
  @ApiProblemResponses('conflict')
  update(
    @IdParam('accountId') accountId: string,
    @Body() body: UpdateOperatorAccountDto,
  ): Promise<OperatorAccountDto> {
    return this.operator.update(accountId, body);
  }
}
