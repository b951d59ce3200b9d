import { Module } from '@nestjs/common';
import { JobsController } from './jobs.controller';

/** Operations of the deployment for super admins: background jobs (list, retry, cancel). */
@Module({ controllers: [JobsController] })
export class OperationsModule {}
