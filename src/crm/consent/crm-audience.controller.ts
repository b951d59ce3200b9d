import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { CONSENT_CHANNELS, type ConsentChannel } from '@custos/consent';
import {
  ApiProblemResponses,
  IdParam,
  PageQueryDto,
  PagingDto,
  RequirePrivilege,
} from '@custos/core';
import { CrmMarketingAudience, type AudiencePage } from './crm-marketing-audience';

class AudienceQueryDto extends PageQueryDto {
  @ApiProperty({ enum: CONSENT_CHANNELS, example: 'email' })
  @IsIn(CONSENT_CHANNELS)
  channel!: ConsentChannel;
}

class AudienceContactDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-1f2a3b4c5d6e' })
  id!: string;
}

class AudiencePageDto {
  @ApiProperty({ description: 'Contacts in the audience (that you may read).', example: 1250 })
  total!: number;

  @ApiProperty({ type: [AudienceContactDto] })
  results!: AudienceContactDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}

@ApiTags('consent')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('api/v1/consent/purposes')
export class CrmAudienceController {
  constructor(private readonly audience: CrmMarketingAudience) {}

  @Get(':purposeId/audience')
  @RequirePrivilege('record_consent')
  @ApiOperation({
    summary: 'The marketing audience of a purpose on a channel',
    description:
      'The contacts you may read that may be contacted now: consent granted and in effect (or, for another legal basis, no objection), not blacklisted — evaluated in SQL with your record rules. Ids only, keyset pages.',
  })
  @ApiOkResponse({ type: AudiencePageDto })
  @ApiProblemResponses('validation')
  list(
    @IdParam('purposeId') purposeId: string,
    @Query() query: AudienceQueryDto,
  ): Promise<AudiencePage> {
    return this.audience.page(purposeId, query.channel, query);
  }
}
