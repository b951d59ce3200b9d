import { Blacklist, normaliseAddress } from '@custos/consent';
import { CustosError } from '@custos/core';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PropertySchema } from '../../crm/kernel';
import { RecordWriteHooks, type RecordChange, type RecordWriteHook } from '../../crm/records';

/**
 * An erased subject is not brought back: a write (create, update, import row, form submission)
 * that gives a contact the email of a subject erased at their request — on the blacklist as a
 * keyed hash — is refused with 409 naming `email`, in the write's transaction.
 */
@Injectable()
export class ErasedSubjectGuard implements RecordWriteHook, OnModuleInit {
  constructor(
    private readonly hooks: RecordWriteHooks,
    private readonly blacklist: Blacklist,
  ) {}

  onModuleInit(): void {
    this.hooks.add(this);
  }

  async recordsChanged(
    _manager: EntityManager,
    schema: PropertySchema,
    changes: readonly RecordChange[],
  ): Promise<void> {
    if (schema.objectType.name !== 'contacts') {
      return;
    }
    for (const { record, before } of changes) {
      const email = record.values.email;
      if (typeof email !== 'string' || email === before.email) {
        continue;
      }
      const normal = normaliseAddress(email);
      if (normal && (await this.blacklist.isErased(record.accountId, normal.value))) {
        throw new CustosError(
          'conflict',
          'crm.erased_subject',
          'This email belongs to a person erased at their request: they are not to be added again.',
          {
            errors: [{ field: 'email', message: 'belongs to an erased person' }],
            extensions: { property: 'email' },
          },
        );
      }
    }
  }
}
