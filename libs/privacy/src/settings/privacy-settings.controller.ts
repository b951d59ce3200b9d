import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, RequirePrivilege } from '@custos/core';
import {
  PrivacySettingsService,
  type PrivacySettingsChange,
  type PrivacySettingsView,
} from './privacy-settings';
import {
  PrivacySettingsChangeDto,
  PrivacySettingsDto,
  UpdatePrivacySettingsDto,
} from './privacy-settings.dto';

@ApiTags('privacy')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('privacy-settings')
export class PrivacySettingsController {
  constructor(private readonly settings: PrivacySettingsService) {}

  @Get()
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: "The account's privacy settings",
    description: 'The time zone and public holidays of the privacy-request clock.',
  })
  @ApiOkResponse({ type: PrivacySettingsDto })
  get(): Promise<PrivacySettingsView> {
    return this.settings.get();
  }

  @Put()
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: "Change the account's privacy settings",
    description:
      'Fields given replace the stored ones. New requests take their date of receipt in the time zone; every open request keeps its date of receipt and gets its due date recomputed with the holidays (each move audited). Audited.',
  })
  @ApiOkResponse({ type: PrivacySettingsChangeDto })
  @ApiProblemResponses('validation')
  update(@Body() body: UpdatePrivacySettingsDto): Promise<PrivacySettingsChange> {
    return this.settings.update(body);
  }
}
