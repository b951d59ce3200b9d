import { Module } from '@nestjs/common';
// Defines the task privileges these routes require.
import './access.privileges';
import { AccessController } from './explain/access.controller';
import { RecordRulesController } from './rules/record-rules.controller';
import { RolesController } from './roles/roles.controller';

/**
 * The REST API of `@custos/access` (roles, record rules, explain, preview, `me/permissions`), for
 * apps that want it: paths are relative (`roles`, `record-rules`, …), so mount it under your
 * prefix with `RouterModule.register([{ path: 'api/v1', module: AccessHttpModule }])`. Needs
 * `AccessModule.forRoot` (global, the default). Field permissions are per subject and field; a
 * host serves them at a URL of its own vocabulary with the exported `FieldPermissionService`.
 */
@Module({ controllers: [RolesController, RecordRulesController, AccessController] })
export class AccessHttpModule {}
