import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustosError, RequestContext, isSuperAdminInPerson } from '@custos/core';
import { SensitiveDataService } from '../../sensitive-data';

/** A change to the definition of a sensitive property. */
export type SensitiveDefinitionChange = 'create' | 'edit' | 'delete';

/**
 * Who may define sensitive properties: super admins in person only; creating and editing need
 * the enterprise edition and the setting on, deleting stays possible after a downgrade.
 */
@Injectable()
export class SensitivePropertyPolicy {
  constructor(
    private readonly context: RequestContext,
    private readonly sensitiveData: SensitiveDataService,
  ) {}

  /** Refuses the change (403, or 409 while the setting is off) unless the actor may make it. */
  async assertMayDefine(
    manager: EntityManager,
    accountId: string,
    change: SensitiveDefinitionChange,
  ): Promise<void> {
    if (!isSuperAdminInPerson(this.context.requireActor())) {
      throw new CustosError(
        'forbidden',
        'crm.sensitive_property_super_admin_only',
        'Only super admins may create, edit or delete sensitive properties.',
      );
    }
    if (change === 'delete') {
      return;
    }
    const state = await this.sensitiveData.state(accountId, manager);
    if (!state.enterprise) {
      throw new CustosError(
        'forbidden',
        'crm.sensitive_property_edition',
        'Sensitive properties can only be deleted below the enterprise edition, not created or edited.',
      );
    }
    if (!state.enabled) {
      throw new CustosError(
        'conflict',
        'crm.sensitive_data_not_enabled',
        'Enable sensitive data for the account (POST /api/v1/settings/sensitive-data/enable) before creating sensitive properties.',
      );
    }
  }
}
