import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ApiProblemResponses, CustosError, FileStore, Public } from '@custos/core';

class HealthDto {
  @ApiProperty({ example: 'ok' })
  status!: 'ok';
}

@ApiTags('health')
@Controller('api/v1/health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly files: FileStore,
  ) {}

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ type: HealthDto })
  live(): HealthDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ summary: 'Readiness: the database answers and the file store is usable' })
  @ApiOkResponse({ type: HealthDto })
  @ApiProblemResponses('unavailable')
  async ready(): Promise<HealthDto> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new CustosError(
        'unavailable',
        'server.database_unavailable',
        'The database does not answer.',
      );
    }
    try {
      await this.files.checkReady();
    } catch {
      // The cause (a path, an endpoint) stays out of this public answer.
      throw new CustosError(
        'unavailable',
        'server.file_store_unavailable',
        'The file store cannot be used.',
      );
    }
    return { status: 'ok' };
  }
}
