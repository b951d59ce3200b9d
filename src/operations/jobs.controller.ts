import { Controller, Get, HttpCode, Param, Post, Query, type PipeTransform } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblemResponses,
  CustosError,
  DEFAULT_PAGE_SIZE,
  Jobs,
  PageQueryDto,
  RequestContext,
  RequireSuperAdmin,
  type JobView,
} from '@custos/core';
import { JobDto, JobPageDto } from './jobs.dto';

/** Job ids: UUIDs, or a BullMQ schedule's `repeat:<name>:<ms>`. */
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,199}$/;

class ParseJobIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !JOB_ID.test(value)) {
      throw CustosError.invalidField('operations.invalid_job_id', 'id', 'must be a job id');
    }
    return value;
  }
}

const JOB_ID_PARAM = { name: 'id', example: '0193a6c4-7f1e-7c3a-9d1e-2b4c6d8e0f12' };

@ApiTags('operations')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('api/v1/jobs')
export class JobsController {
  constructor(
    private readonly jobs: Jobs,
    private readonly context: RequestContext,
  ) {}

  @Get()
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'List background jobs, newest first',
    description:
      "Super admins only. The account's jobs (key rotations, later imports and exports) and the deployment-wide schedules (archive purge, attachment sweep, audit checkpoints…): state, progress, attempts and the code of the last failure. Never a job's data or an error message. Cursor-paginated (`limit`, `after`).",
  })
  @ApiOkResponse({ type: JobPageDto })
  @ApiProblemResponses('validation')
  async list(@Query() query: PageQueryDto): Promise<JobPageDto> {
    return this.jobs.list(this.context.requireAccountId(), {
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      after: query.after,
    });
  }

  @Post(':id/retry')
  @HttpCode(200)
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Run a dead or cancelled job again',
    description:
      "Super admins only. Puts a `dead` or `cancelled` job of the account back to `waiting` with fresh attempts. 409 `core.job_not_retryable` in another state; 403 `operations.deployment_job` for a deployment-wide schedule's run (it runs again at its next period); 404 for another account's job.",
  })
  @ApiParam(JOB_ID_PARAM)
  @ApiOkResponse({ type: JobDto })
  @ApiProblemResponses('not_found', 'conflict', 'validation')
  async retry(@Param('id', new ParseJobIdPipe()) id: string): Promise<JobDto> {
    await this.accountJob(id);
    return this.jobs.retry(id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Cancel a waiting job, or stop a running one',
    description:
      "Super admins only. A `waiting` job is `cancelled` at once and never runs (a pending import it was for ends `failed`, nothing applied); an `active` one is asked to stop (`cancelRequested`) and is `cancelled` once it reaches the end of its current batch: what it committed stays. 409 `core.job_not_cancellable` once the job is over; 403 `operations.deployment_job` for a deployment-wide schedule's run; 404 for another account's job.",
  })
  @ApiParam(JOB_ID_PARAM)
  @ApiOkResponse({ type: JobDto })
  @ApiProblemResponses('not_found', 'conflict', 'validation')
  async cancel(@Param('id', new ParseJobIdPipe()) id: string): Promise<JobDto> {
    await this.accountJob(id);
    return this.jobs.cancel(id);
  }

  /** The job, if it is the account's: another account's is a 404 (no existence leak). */
  private async accountJob(id: string): Promise<JobView> {
    const job = await this.jobs.get(id);
    if (job.accountId === null) {
      throw new CustosError(
        'forbidden',
        'operations.deployment_job',
        'This job is a run of a deployment-wide schedule: the deployment runs it, no account retries or cancels it.',
      );
    }
    if (job.accountId !== this.context.requireAccountId()) {
      throw new CustosError('not_found', 'core.job_not_found', `There is no job ${id}.`);
    }
    return job;
  }
}
