import {
  Body,
  Controller,
  Get,
  Post,
  Query,
  StreamableFile,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import {
  AcceptedWithLocation,
  ApiProblemResponses,
  IdParam,
  PageQueryDto,
  RequirePrivilege,
  type Page,
} from '@custos/core';
import type { UploadedCsv } from './import-upload.interceptor';
import { ImportUploadInterceptor } from './import-upload.interceptor';
import {
  CreateImportDto,
  ImportDto,
  ImportErrorDto,
  ImportErrorPageDto,
  ImportPageDto,
  ImportUploadDto,
} from './import.dto';
import { ImportService } from './import.service';

@ApiTags('imports')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('api/v1/imports')
export class ImportsController {
  constructor(private readonly imports: ImportService) {}

  @Post()
  @RequirePrivilege('import')
  @UseInterceptors(ImportUploadInterceptor)
  @ApiOperation({
    summary: 'Import a CSV file',
    description:
      'Checks the object type, the mapping against the header row and the mode up-front (a refusal writes nothing), then applies the rows in the background: poll `GET /api/v1/imports/{importId}`. Valid rows are committed, invalid rows reported with row, column and reason. Re-running the same upsert changes nothing. Needs the `import` privilege. ' +
      'Update and upsert keyed on a property you may not read are 403 naming `uniqueProperty`; rows only match records you may update, any other holder of the value counts as no record (upsert then meets the usual unique-value conflict of a create).',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: ImportUploadDto })
  @AcceptedWithLocation({ type: ImportDto, description: 'Queued; `status` is `pending`.' })
  @ApiProblemResponses('bad_request', 'not_found', 'validation', 'payload_too_large')
  create(
    @Body() body: CreateImportDto,
    @UploadedFile() file: UploadedCsv | undefined,
  ): Promise<ImportDto> {
    return this.imports.create(body, file);
  }

  @Get()
  @RequirePrivilege('import')
  @ApiOperation({
    summary: 'List imports',
    description:
      'Your own imports, oldest first, with cursor pagination; super admins in person see every import of the account.',
  })
  @ApiOkResponse({ type: ImportPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: PageQueryDto): Promise<Page<ImportDto>> {
    return this.imports.list(query);
  }

  @Get(':importId')
  @RequirePrivilege('import')
  @ApiOperation({
    summary: 'Progress and result of an import',
    description:
      'Status, rows processed so far, and the counts of created, updated, unchanged and failed rows. Only for its creator and super admins in person; 404 for anyone else.',
  })
  @ApiOkResponse({ type: ImportDto })
  @ApiProblemResponses('not_found', 'validation')
  get(@IdParam('importId') id: string): Promise<ImportDto> {
    return this.imports.get(id);
  }

  @Get(':importId/errors')
  @RequirePrivilege('import')
  @ApiOperation({
    summary: 'Rows an import refused',
    description:
      'Row number (1-based, header not counted), column and reason, in row order. Cell values are never shown. Only for the import’s creator and super admins in person; 404 for anyone else.',
  })
  @ApiOkResponse({ type: ImportErrorPageDto })
  @ApiProblemResponses('not_found', 'validation')
  errors(
    @IdParam('importId') id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<ImportErrorDto>> {
    return this.imports.errors(id, query);
  }

  @Get(':importId/errors.csv')
  @RequirePrivilege('import')
  @ApiOperation({
    summary: 'Download the refused rows as CSV',
    description: 'Columns `row,column,reason`; the same entries as `/errors`.',
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'A CSV file.',
    content: {
      'text/csv': {
        schema: { type: 'string' },
        example: 'row,column,reason\r\n7,Birthday,birthdate: expected a date (YYYY-MM-DD)\r\n',
      },
    },
  })
  @ApiProblemResponses('not_found', 'validation')
  errorsCsv(@IdParam('importId') id: string): Promise<StreamableFile> {
    return this.imports.errorsCsv(id);
  }
}
