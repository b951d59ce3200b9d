import { Controller, Get, Inject, Optional } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { ApiProblemResponses, CustosError, FileStore, Public } from '@custos/core';
import { REDIS } from '../redis';

/** A dependency that does not answer within this long counts as down. */
const CHECK_TIMEOUT_MS = 2000;

class HealthDto {
  @ApiProperty({ example: 'ok' })
  status!: 'ok';
}

class ReadinessChecksDto {
  @ApiProperty({ example: 'ok' })
  database!: 'ok';

  @ApiPropertyOptional({ example: 'ok', description: 'Present when `REDIS_URL` is set.' })
  redis?: 'ok';

  @ApiProperty({ example: 'ok' })
  fileStore!: 'ok';
}

class ReadinessDto extends HealthDto {
  @ApiProperty({ type: ReadinessChecksDto })
  checks!: ReadinessChecksDto;
}

type Component = 'database' | 'redis' | 'fileStore';

const UNAVAILABLE: Record<Component, { code: string; detail: string }> = {
  database: { code: 'server.database_unavailable', detail: 'The database does not answer.' },
  redis: { code: 'server.redis_unavailable', detail: 'Redis does not answer.' },
  fileStore: { code: 'server.file_store_unavailable', detail: 'The file store cannot be used.' },
};

@ApiTags('health')
@Controller('api/v1/health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly files: FileStore,
    @Optional() @Inject(REDIS) private readonly redis?: Redis,
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
  @ApiOperation({
    summary: 'Readiness: the database, Redis (when configured) and the file store answer',
    description:
      'Checks every dependency at once. 503 when one is down: `code` names the first of database, ' +
      'Redis, file store that failed, and `unavailable` lists each one that failed — never a cause, ' +
      'an address or a credential.',
  })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiProblemResponses('unavailable')
  async ready(): Promise<ReadinessDto> {
    const redis = this.redis;
    const checks: [Component, () => Promise<unknown>][] = [
      ['database', () => this.dataSource.query('SELECT 1')],
      ['redis', () => (redis ? this.pingRedis(redis) : Promise.resolve())],
      ['fileStore', () => this.files.checkReady()],
    ];
    const outcomes = await Promise.all(
      checks.map(([component, check]) =>
        withTimeout(check()).then(
          () => null,
          // The cause (a path, an endpoint, a host) stays out of this public answer.
          () => component,
        ),
      ),
    );
    const down = outcomes.filter((component): component is Component => component !== null);
    if (down.length > 0) {
      const { code, detail } = UNAVAILABLE[down[0]];
      throw new CustosError('unavailable', code, detail, { extensions: { unavailable: down } });
    }
    return {
      status: 'ok',
      checks: { database: 'ok', ...(redis ? { redis: 'ok' as const } : {}), fileStore: 'ok' },
    };
  }

  /** A connection that is not up (reconnecting after Redis went away) is down: no queued ping. */
  private async pingRedis(redis: Redis): Promise<void> {
    if (redis.status !== 'ready') {
      throw new Error('Redis is not connected');
    }
    await redis.ping();
  }
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
