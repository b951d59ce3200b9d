import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccessService, DelegationCheck } from '@custos/access';
import { AuditService } from '@custos/audit';
import {
  Clock,
  CustosError,
  isUniqueViolation,
  keysetPage,
  mapPage,
  newId,
  PageQueryDto,
  RequestContext,
  TransactionHost,
  type Page,
} from '@custos/core';
import { lockAccount } from '../accounts/super-admin-invariant';
import { IdentityErrors } from '../identity.errors';
import { Membership } from '../users/membership.entity';
import { changes } from '../users/user.service';
import { BusinessUnit } from './business-unit.entity';
import type {
  BusinessUnitDto,
  CreateBusinessUnitDto,
  UpdateBusinessUnitDto,
} from './business-unit.dto';

/** The tree of business units of the actor's account. The root is made with the account. */
@Injectable()
export class BusinessUnitService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly delegation: DelegationCheck,
    private readonly clock: Clock,
  ) {}

  async list(query: PageQueryDto): Promise<Page<BusinessUnitDto>> {
    const accountId = this.context.requireAccountId();
    const builder = this.transactions.manager
      .createQueryBuilder(BusinessUnit, 'bu')
      .where('bu.accountId = :accountId', { accountId });
    return mapPage(await keysetPage(builder, 'bu.id', (bu) => bu.id, query), toBusinessUnitDto);
  }

  async get(id: string): Promise<BusinessUnitDto> {
    return toBusinessUnitDto(await this.find(this.transactions.manager, id));
  }

  async create(input: CreateBusinessUnitDto): Promise<BusinessUnitDto> {
    const accountId = this.context.requireAccountId();
    return this.uniqueName(() =>
      this.transactions.run(async (manager) => {
        // Tree changes of one account run one at a time, so no check reads a tree about to change.
        await lockAccount(manager, accountId);
        const parent = input.parentId
          ? await this.findParent(manager, input.parentId)
          : await this.root(manager, accountId);
        const now = this.clock.now();
        const unit = manager.create(BusinessUnit, {
          id: newId(),
          accountId,
          name: input.name,
          parentId: parent.id,
          createdAt: now,
          updatedAt: now,
        });
        await manager.insert(BusinessUnit, unit);
        await this.audit.record({
          action: 'business_unit.created',
          targetType: 'business_unit',
          targetId: unit.id,
          metadata: { after: { name: unit.name, parentId: unit.parentId } },
        });
        return toBusinessUnitDto(unit);
      }),
    );
  }

  async update(id: string, input: UpdateBusinessUnitDto): Promise<BusinessUnitDto> {
    return this.uniqueName(() =>
      this.delegation.checked(async () => {
        const manager = this.transactions.manager;
        // Two concurrent moves could otherwise each pass the cycle check and form a cycle together.
        await lockAccount(manager, this.context.requireAccountId());
        const unit = await this.find(manager, id);
        const before = { name: unit.name, parentId: unit.parentId };
        if (input.parentId !== undefined && input.parentId !== unit.parentId) {
          if (unit.parentId === null) {
            throw IdentityErrors.rootBusinessUnit();
          }
          await this.findParent(manager, input.parentId);
          if (await this.isSelfOrDescendant(manager, unit, input.parentId)) {
            throw IdentityErrors.businessUnitCycle();
          }
          unit.parentId = input.parentId;
        }
        unit.name = input.name ?? unit.name;
        unit.updatedAt = this.clock.now();
        await manager.update(
          BusinessUnit,
          { id: unit.id },
          { name: unit.name, parentId: unit.parentId, updatedAt: unit.updatedAt },
        );
        await this.access.bump(unit.accountId);
        await this.audit.record({
          action: 'business_unit.updated',
          targetType: 'business_unit',
          targetId: unit.id,
          metadata: changes(before, { name: unit.name, parentId: unit.parentId }),
        });
        return toBusinessUnitDto(unit);
      }, 'parentId'),
    );
  }

  async remove(id: string): Promise<void> {
    await this.delegation.checked(async () => {
      const manager = this.transactions.manager;
      // Serialised with new children and members of the unit, which would otherwise be orphaned.
      await lockAccount(manager, this.context.requireAccountId());
      const unit = await this.find(manager, id);
      if (unit.parentId === null) {
        throw IdentityErrors.rootBusinessUnit();
      }
      const inUse =
        (await manager.existsBy(BusinessUnit, { accountId: unit.accountId, parentId: unit.id })) ||
        (await manager.existsBy(Membership, {
          accountId: unit.accountId,
          businessUnitId: unit.id,
        }));
      if (inUse) {
        throw IdentityErrors.businessUnitInUse();
      }
      await manager.delete(BusinessUnit, { id: unit.id });
      await this.access.bump(unit.accountId);
      await this.audit.record({
        action: 'business_unit.deleted',
        targetType: 'business_unit',
        targetId: unit.id,
        metadata: { before: { name: unit.name, parentId: unit.parentId } },
      });
    });
  }

  /** Walks up from `candidateParentId`; meeting `unit` means the move would make a cycle. */
  private async isSelfOrDescendant(
    manager: EntityManager,
    unit: BusinessUnit,
    candidateParentId: string,
  ): Promise<boolean> {
    let cursor: string | null = candidateParentId;
    const seen = new Set<string>();
    while (cursor !== null && !seen.has(cursor)) {
      if (cursor === unit.id) {
        return true;
      }
      seen.add(cursor);
      const next: BusinessUnit | null = await manager.findOneBy(BusinessUnit, {
        accountId: unit.accountId,
        id: cursor,
      });
      cursor = next?.parentId ?? null;
    }
    return false;
  }

  private async root(manager: EntityManager, accountId: string): Promise<BusinessUnit> {
    const root = await manager
      .createQueryBuilder(BusinessUnit, 'bu')
      .where('bu.accountId = :accountId AND bu.parentId IS NULL', { accountId })
      .getOne();
    if (!root) {
      throw IdentityErrors.businessUnitNotFound();
    }
    return root;
  }

  private async findParent(manager: EntityManager, parentId: string): Promise<BusinessUnit> {
    const parent = await manager.findOneBy(BusinessUnit, {
      accountId: this.context.requireAccountId(),
      id: parentId,
    });
    if (!parent) {
      throw CustosError.invalidField(
        'identity.business_unit_not_found',
        'parentId',
        'no such business unit in this account',
      );
    }
    return parent;
  }

  private async find(manager: EntityManager, id: string): Promise<BusinessUnit> {
    const unit = await manager.findOneBy(BusinessUnit, {
      accountId: this.context.requireAccountId(),
      id,
    });
    if (!unit) {
      throw IdentityErrors.businessUnitNotFound();
    }
    return unit;
  }

  private async uniqueName<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw IdentityErrors.duplicateName('A business unit');
      }
      throw error;
    }
  }
}

function toBusinessUnitDto(unit: BusinessUnit): BusinessUnitDto {
  return {
    id: unit.id,
    name: unit.name,
    parentId: unit.parentId,
    createdAt: unit.createdAt.toISOString(),
    updatedAt: unit.updatedAt.toISOString(),
  };
}
