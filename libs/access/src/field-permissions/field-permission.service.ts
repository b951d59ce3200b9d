import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuditService } from '@custos/audit';
import { CustosError, RequestContext, TransactionHost, newId } from '@custos/core';
import { AccessErrors } from '../access.errors';
import {
  type AccessDirectory,
  type AccessSubjects,
  lookUpDirectory,
  lookUpSubjects,
} from '../access.ports';
import { AccessService } from '../abilities/access.service';
import { DelegationCheck } from '../delegation/delegation-check';
import { Role } from '../roles/role.entity';
import type { FieldPermissionsDto, PrincipalDto } from './field-permission.dto';
import { FieldPermission } from './field-permission.entity';

/** The view and edit allow-lists of one property. */
@Injectable()
export class FieldPermissionService implements OnModuleInit {
  private directory!: AccessDirectory;
  private subjects!: AccessSubjects;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly access: AccessService,
    private readonly delegation: DelegationCheck,
    private readonly audit: AuditService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    this.directory = lookUpDirectory(this.moduleRef);
    this.subjects = lookUpSubjects(this.moduleRef);
  }

  async get(objectType: string, property: string): Promise<FieldPermissionsDto> {
    const accountId = this.context.requireAccountId();
    await this.checkProperty(accountId, objectType, property);
    return toDto(
      await this.transactions.manager.find(FieldPermission, {
        where: { accountId, objectType, property },
        order: { id: 'ASC' },
      }),
    );
  }

  /**
   * Replaces both allow-lists. Whoever is not a super admin in person may not open the property
   * to anyone beyond what they may view and edit themselves (the delegation check).
   */
  async replace(
    objectType: string,
    property: string,
    input: FieldPermissionsDto,
  ): Promise<FieldPermissionsDto> {
    const accountId = this.context.requireAccountId();
    await this.checkProperty(accountId, objectType, property);
    for (const [list, principals] of [
      ['view', input.view],
      ['edit', input.edit],
    ] as const) {
      for (const [index, principal] of principals.entries()) {
        await this.checkPrincipal(accountId, principal, `${list}[${index}]`);
      }
    }
    return this.delegation.checked(
      async () => {
        const manager = this.transactions.manager;
        const before = toDto(
          await manager.findBy(FieldPermission, { accountId, objectType, property }),
        );
        await manager.delete(FieldPermission, { accountId, objectType, property });
        const rows: FieldPermission[] = (['view', 'edit'] as const).flatMap((access) =>
          dedupe(input[access]).map((principal) => ({
            id: newId(),
            accountId,
            objectType,
            property,
            access,
            principalType: principal.type,
            principalId: principal.id ?? '',
          })),
        );
        if (rows.length > 0) {
          await manager.insert(FieldPermission, rows);
        }
        await this.access.bump(accountId);
        await this.audit.record({
          action: 'field_permission.updated',
          targetType: 'property',
          targetId: `${objectType}.${property}`,
          metadata: { before, after: toDto(rows) },
        });
        return toDto(rows);
      },
      (gain) => (gain.kind === 'field' && gain.access === 'edit' ? 'edit' : 'view'),
    );
  }

  private async checkProperty(
    accountId: string,
    objectType: string,
    property: string,
  ): Promise<void> {
    const fields = await this.subjects.fields(accountId, objectType);
    if (!fields) {
      throw new CustosError(
        'not_found',
        'access.unknown_subject',
        `There is no object type "${objectType}".`,
      );
    }
    if (!(property in fields)) {
      throw new CustosError(
        'not_found',
        'access.unknown_property',
        `There is no property "${property}" on ${objectType}.`,
      );
    }
  }

  private async checkPrincipal(
    accountId: string,
    principal: PrincipalDto,
    field: string,
  ): Promise<void> {
    switch (principal.type) {
      case 'everyone':
      case 'super_admins':
        if (principal.id !== undefined) {
          throw CustosError.invalidField(
            'access.principal_id_not_allowed',
            `${field}.id`,
            `must be omitted for ${principal.type}`,
          );
        }
        return;
      case 'user':
      case 'team':
        if (
          principal.id === undefined ||
          !(await this.directory.exists(accountId, principal.type, principal.id))
        ) {
          throw AccessErrors.unknownPrincipal(`${field}.id`);
        }
        return;
      case 'role':
        if (
          principal.id === undefined ||
          !(await this.transactions.manager.existsBy(Role, { accountId, id: principal.id }))
        ) {
          throw AccessErrors.unknownPrincipal(`${field}.id`);
        }
        return;
    }
  }
}

function dedupe(principals: readonly PrincipalDto[]): PrincipalDto[] {
  const seen = new Set<string>();
  return principals.filter((p) => {
    const key = `${p.type}:${p.id ?? ''}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

function toDto(rows: readonly FieldPermission[]): FieldPermissionsDto {
  const principals = (access: 'view' | 'edit') =>
    rows
      .filter((r) => r.access === access)
      .map((r) =>
        r.principalId ? { type: r.principalType, id: r.principalId } : { type: r.principalType },
      );
  return { view: principals('view'), edit: principals('edit') };
}
