import { Module } from '@nestjs/common';
// Defines the task privileges these routes require.
import './exports.privileges';
import { ExportsController } from './http/exports.controller';

/**
 * The REST API of `@custos/exports` (`exports`, `exports/settings`, `exports/{id}/file` …). Paths
 * are relative: mount it with `RouterModule.register([{ path: 'api/v1', module: ExportsHttpModule }])`.
 * Needs `ExportsModule.forRoot` (global, the default).
 */
@Module({ controllers: [ExportsController] })
export class ExportsHttpModule {}
