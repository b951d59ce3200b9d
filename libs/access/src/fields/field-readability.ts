import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  type AccessSubjects,
  type ReadableFields,
  lookUpReadableFields,
  lookUpSubjects,
} from '../access.ports';
import { BUSINESS_UNIT_FIELD, OWNER_FIELD } from '../access.types';
import type { ActorAccess } from '../abilities/actor-access';

/**
 * Which fields of a subject the request's actor may read — the one answer record rules (a rule
 * may only test what its author reads) and explain (it answers only about what its caller reads)
 * rely on: the host's `READABLE_FIELDS` when it has one (for a CRM: field permissions, derived
 * values, sensitive properties), else the actor's field permissions, the owner and the unit.
 */
@Injectable()
export class FieldReadability implements OnModuleInit {
  private host!: ReadableFields | null;
  private subjects!: AccessSubjects;

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    this.host = lookUpReadableFields(this.moduleRef);
    this.subjects = lookUpSubjects(this.moduleRef);
  }

  async readableBy(
    accountId: string,
    subjectType: string,
    actor: ActorAccess,
  ): Promise<ReadonlySet<string>> {
    if (this.host) {
      return this.host.readableBy(subjectType);
    }
    const fields = Object.keys((await this.subjects.fields(accountId, subjectType)) ?? {});
    return new Set([
      ...fields.filter((name) => actor.fields(subjectType).canView(name)),
      OWNER_FIELD,
      BUSINESS_UNIT_FIELD,
    ]);
  }
}
