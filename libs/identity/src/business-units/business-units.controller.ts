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
  PageQueryDto,
  RequirePrivilege,
  type Page,
} from '@custos/core';
import {
  BusinessUnitDto,
  BusinessUnitPageDto,
  CreateBusinessUnitDto,
  UpdateBusinessUnitDto,
} from './business-unit.dto';
import { BusinessUnitService } from './business-unit.service';

@ApiTags('business units')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('business-units')
export class BusinessUnitsController {
  constructor(private readonly units: BusinessUnitService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'List the business units of this account',
    description: 'Each unit names its parent; the root has none.',
  })
  @ApiOkResponse({ type: BusinessUnitPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: PageQueryDto): Promise<Page<BusinessUnitDto>> {
    return this.units.list(query);
  }

  @Post()
  @RequirePrivilege('manage_business_units')
  @ApiOperation({ summary: 'Create a business unit under a parent (default the root)' })
  @ApiCreatedResponse({ type: BusinessUnitDto })
  @ApiProblemResponses('validation', 'conflict')
  create(@Body() body: CreateBusinessUnitDto): Promise<BusinessUnitDto> {
    return this.units.create(body);
  }

  @Get(':businessUnitId')
  @Authenticated()
  @ApiOperation({ summary: 'Get a business unit' })
  @ApiOkResponse({ type: BusinessUnitDto })
  @ApiProblemResponses('not_found', 'validation')
  get(@IdParam('businessUnitId') id: string): Promise<BusinessUnitDto> {
    return this.units.get(id);
  }

  @Patch(':businessUnitId')
  @RequirePrivilege('manage_business_units')
  @ApiOperation({
    summary: 'Rename or move a business unit',
    description: 'A unit cannot move under itself or its descendants; the root cannot move.',
  })
  @ApiOkResponse({ type: BusinessUnitDto })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  update(
    @IdParam('businessUnitId') id: string,
    @Body() body: UpdateBusinessUnitDto,
  ): Promise<BusinessUnitDto> {
    return this.units.update(id, body);
  }

  @Delete(':businessUnitId')
  @HttpCode(204)
  @RequirePrivilege('manage_business_units')
  @ApiOperation({
    summary: 'Delete a business unit',
    description: 'Refused with 409 while it has child units or members, and for the root.',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblemResponses('not_found', 'validation', 'conflict')
  async remove(@IdParam('businessUnitId') id: string): Promise<void> {
    await this.units.remove(id);
  }
}
