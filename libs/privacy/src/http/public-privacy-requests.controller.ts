import { Body, Controller, Header, HttpCode, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiProblemResponses, Public } from '@custos/core';
import {
  PublicPrivacyIntake,
  type PublicRequestAccepted,
  type PublicRequestVerified,
} from '../intake/public-intake';
import {
  PublicPrivacyRequestDto,
  PublicRequestAcceptedDto,
  PublicRequestVerifiedDto,
  VerifyPublicRequestDto,
} from './privacy-rights.dto';

/** The data subject's own way in: no login; a code sent by mail proves the address. */
@ApiTags('privacy (public)')
@Controller('public/privacy-requests')
export class PublicPrivacyRequestsController {
  constructor(private readonly intake: PublicPrivacyIntake) {}

  @Post()
  @Public()
  @HttpCode(202)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Make a privacy request (no credentials)',
    description:
      'Records the request as `identity_unverified` and mails an 8-digit code to `email` (valid 30 minutes by default, once, 5 tries). The answer is the same for every well-formed request — it never says whether the address or the account is known. 429 with `Retry-After` after too many requests from one address or IP.',
  })
  @ApiAcceptedResponse({ type: PublicRequestAcceptedDto })
  @ApiProblemResponses('validation', 'rate_limited')
  submit(
    @Body() body: PublicPrivacyRequestDto,
    @Req() request: Request,
  ): Promise<PublicRequestAccepted> {
    return this.intake.submit(body, request.ip ?? null);
  }

  @Post('verify')
  @Public()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Confirm a privacy request with the mailed code',
    description:
      'The request becomes `received` and its one-month clock starts today. A wrong, expired or used code is 422 `privacy.verification_failed` (which of them is not said) and changes nothing but the count of tries.',
  })
  @ApiOkResponse({ type: PublicRequestVerifiedDto })
  @ApiProblemResponses('validation', 'conflict', 'rate_limited')
  verify(
    @Body() body: VerifyPublicRequestDto,
    @Req() request: Request,
  ): Promise<PublicRequestVerified> {
    return this.intake.verify(body, request.ip ?? null);
  }
}
