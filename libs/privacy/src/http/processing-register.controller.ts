import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, IdParam, RequirePrivilege } from '@custos/core';
import type { Response } from 'express';
import {
  ProcessingRegister,
  type ActivityView,
  type RegisterView,
} from '../register/processing-register';
import { ActivityDto, ActivityInputDto, RegisterDto, RegisterQueryDto } from './privacy.dto';
import { registerHtml } from '../register/register-html';

@ApiTags('privacy')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('privacy-activities')
export class ProcessingRegisterController {
  constructor(private readonly register: ProcessingRegister) {}

  @Post()
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Add a processing activity to the register (Art. 30)',
    description: 'Audited.',
  })
  @ApiCreatedResponse({ type: ActivityDto })
  @ApiProblemResponses('validation')
  create(@Body() body: ActivityInputDto): Promise<ActivityView> {
    return this.register.create(body);
  }

  @Get()
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({ summary: 'The processing activities of the account', description: 'By name.' })
  @ApiOkResponse({ type: [ActivityDto] })
  list(): Promise<ActivityView[]> {
    return this.register.list();
  }

  @Get('register')
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'The register of processing activities, as JSON, CSV or a printable HTML document',
    description:
      'Each activity with the personal-data fields the system registers under its data categories, and the processors acting for the account. `format=html` is a self-contained document with print styles (A4, one activity per page): print it, or print it to PDF.',
  })
  @ApiProduces('application/json', 'text/csv', 'text/html')
  @ApiOkResponse({ type: RegisterDto })
  @ApiProblemResponses('validation')
  @Header('Cache-Control', 'no-store')
  async export(
    @Query() query: RegisterQueryDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RegisterView | string> {
    if (query.format === 'csv') {
      response.type('text/csv; charset=utf-8');
      response.attachment('processing-register.csv');
      return this.register.registerCsv();
    }
    if (query.format === 'html') {
      response.type('text/html; charset=utf-8');
      // The document loads nothing and runs nothing: its own inline style only.
      response.setHeader(
        'Content-Security-Policy',
        "default-src 'none'; style-src 'unsafe-inline'",
      );
      return registerHtml(await this.register.register());
    }
    return this.register.register();
  }

  @Get(':activityId')
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({ summary: 'A processing activity' })
  @ApiOkResponse({ type: ActivityDto })
  @ApiProblemResponses('not_found', 'validation')
  get(@IdParam('activityId') id: string): Promise<ActivityView> {
    return this.register.get(id);
  }

  @Put(':activityId')
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({ summary: 'Replace a processing activity', description: 'Audited.' })
  @ApiOkResponse({ type: ActivityDto })
  @ApiProblemResponses('not_found', 'validation')
  replace(
    @IdParam('activityId') id: string,
    @Body() body: ActivityInputDto,
  ): Promise<ActivityView> {
    return this.register.replace(id, body);
  }

  @Delete(':activityId')
  @HttpCode(204)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({ summary: 'Remove a processing activity', description: 'Audited.' })
  @ApiNoContentResponse()
  @ApiProblemResponses('not_found', 'validation')
  remove(@IdParam('activityId') id: string): Promise<void> {
    return this.register.remove(id);
  }
}
