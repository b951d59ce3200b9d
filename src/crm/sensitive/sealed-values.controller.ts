import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, RequestContext, RequireSuperAdmin } from '@custos/core';
import { SealedValuesVerificationDto } from './sealed-values.dto';
import { SealedValuesVerifier } from './sealed-values-verifier';

@ApiTags('sensitive data')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('api/v1/settings/sensitive-data')
export class SealedValuesController {
  constructor(
    private readonly verifier: SealedValuesVerifier,
    private readonly context: RequestContext,
  ) {}

  @Post('verify')
  @HttpCode(200)
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Verify that every sealed value is the one last written through Custos',
    description:
      'Super admins only. Compares each sensitive value stored in a record with the digest its last audited write (or key rotation) recorded, and lists those that differ: an older envelope written back after a rotation, or any write that bypassed the application. Trusts the audit log as far as `GET /api/v1/audit-log/verify` finds it intact. Mismatches are audited (`sensitive_data.tampering_detected`, ids and property names only). Reads every record of the account: run it off-peak; the server also runs it on a schedule (`CUSTOS_SEALED_VALUES_VERIFY_SECONDS`).',
  })
  @ApiOkResponse({ type: SealedValuesVerificationDto })
  verify(): Promise<SealedValuesVerificationDto> {
    return this.verifier.verify(this.context.requireAccountId());
  }
}
