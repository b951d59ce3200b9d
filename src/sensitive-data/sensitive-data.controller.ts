import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, Authenticated, CustosError, RequireSuperAdmin } from '@custos/core';
import {
  EnableSensitiveDataDto,
  SensitiveDataStatusDto,
  UpdateSensitiveDataDto,
} from './sensitive-data.dto';
import { SensitiveDataService } from './sensitive-data.service';

@ApiTags('sensitive data')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('api/v1/settings/sensitive-data')
export class SensitiveDataController {
  constructor(private readonly settings: SensitiveDataService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Whether sensitive data is enabled, and its categories' })
  @ApiOkResponse({ type: SensitiveDataStatusDto })
  status(): Promise<SensitiveDataStatusDto> {
    return this.settings.status();
  }

  @Post('enable')
  @HttpCode(200)
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Enable sensitive data (irreversible)',
    description:
      'Super admins only (not partner admins). Chooses the categories and accepts the terms; there is no way to turn it off again. Audited.',
  })
  @ApiOkResponse({ type: SensitiveDataStatusDto })
  @ApiProblemResponses('validation', 'conflict')
  enable(@Body() body: EnableSensitiveDataDto): Promise<SensitiveDataStatusDto> {
    return this.settings.enable(body.categories);
  }

  @Patch()
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Change the categories of sensitive data',
    description:
      'Super admins only, once enabled (409 before). Audited with before and after. `enabled: false` is refused with 409: the setting is irreversible.',
  })
  @ApiOkResponse({ type: SensitiveDataStatusDto })
  @ApiProblemResponses('validation', 'conflict')
  update(@Body() body: UpdateSensitiveDataDto): Promise<SensitiveDataStatusDto> {
    if (body.enabled === false) {
      return this.settings.refuseDisable();
    }
    if (!body.categories) {
      throw CustosError.invalidField(
        'sensitive_data.categories_required',
        'categories',
        'is required: the categories replace the current ones',
      );
    }
    return this.settings.updateCategories(body.categories);
  }
}
