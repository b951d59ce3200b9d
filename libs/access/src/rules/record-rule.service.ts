import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuditService } from '@custos/audit';
import { Clock, RequestContext, TransactionHost, newId } from '@custos/core';
import { AccessErrors } from '../access.errors';
import { type AccessSubjects, lookUpSubjects } from '../access.ports';
import { BUSINESS_UNIT_FIELD, OWNER_FIELD } from '../access.types';
import { AccessService } from '../abilities/access.service';
import { validateCondition } from '../conditions/condition-language';
import { assertWithinCeiling } from '../roles/grant-ceiling';
import { Role } from '../roles/role.entity';
import type { CreateRecordRuleDto, RecordRuleDto } from './record-rule.dto';
import { RecordRule } from './record-rule.entity';

/** Record rules: conditions that narrow (restrict) or forbid (deny) access to records. */
@Injectable()
export class RecordRuleService implements OnModuleInit {
  private subjects!: AccessSubjects;

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    this.subjects = lookUpSubjects(this.moduleRef);
  }

  async list(): Promise<RecordRuleDto[]> {
    const rules = await this.transactions.manager.find(RecordRule, {
      where: { accountId: this.context.requireAccountId() },
      order: { id: 'ASC' },
    });
    return rules.map(toRuleDto);
  }

  async get(id: string): Promise<RecordRuleDto> {
    return toRuleDto(await this.find(id));
  }

  async create(input: CreateRecordRuleDto): Promise<RecordRuleDto> {
    const accountId = this.context.requireAccountId();
    await this.checkRule(accountId, input);
    const now = this.clock.now();
    const rule: RecordRule = {
      id: newId(),
      accountId,
      roleId: input.roleId ?? null,
      name: input.name,
      objectType: input.objectType,
      actions: input.actions,
      effect: input.effect,
      condition: input.condition,
      createdAt: now,
      updatedAt: now,
    };
    await this.transactions.run(async (manager) => {
      await manager.save(RecordRule, rule);
      await this.access.bump(accountId);
      await this.audit.record({
        action: 'record_rule.created',
        targetType: 'record_rule',
        targetId: rule.id,
        metadata: { after: auditView(rule) },
      });
    });
    return toRuleDto(rule);
  }

  async replace(id: string, input: CreateRecordRuleDto): Promise<RecordRuleDto> {
    const accountId = this.context.requireAccountId();
    await this.checkRule(accountId, input);
    return this.transactions.run(async (manager) => {
      const rule = await this.find(id);
      await this.assertMayLoosen(rule);
      const before = auditView(rule);
      Object.assign(rule, {
        roleId: input.roleId ?? null,
        name: input.name,
        objectType: input.objectType,
        actions: input.actions,
        effect: input.effect,
        condition: input.condition,
        updatedAt: this.clock.now(),
      });
      await manager.save(RecordRule, rule);
      await this.access.bump(accountId);
      await this.audit.record({
        action: 'record_rule.updated',
        targetType: 'record_rule',
        targetId: id,
        metadata: { before, after: auditView(rule) },
      });
      return toRuleDto(rule);
    });
  }

  async remove(id: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const rule = await this.find(id);
      await this.assertMayLoosen(rule);
      await manager.delete(RecordRule, { id });
      await this.access.bump(rule.accountId);
      await this.audit.record({
        action: 'record_rule.deleted',
        targetType: 'record_rule',
        targetId: id,
        metadata: { before: auditView(rule) },
      });
    });
  }

  /**
   * Changing or deleting a rule may widen what it kept from its role's holders (or, for an
   * account-wide rule, from everyone, the actor included): only those who hold those privileges
   * in full themselves may do it — for account-wide rules, super admins only. Adding a rule
   * only narrows, so it needs no check.
   */
  private async assertMayLoosen(rule: RecordRule): Promise<void> {
    const access = await this.access.accessFor(this.context.requireActor());
    if (access.superAdmin) {
      return;
    }
    if (rule.roleId === null) {
      throw AccessErrors.ruleCeiling();
    }
    const role = await this.transactions.manager.findOneBy(Role, {
      accountId: rule.accountId,
      id: rule.roleId,
    });
    const narrowed = (role?.privileges ?? []).filter(
      (p) => p.objectType === rule.objectType && rule.actions.includes(p.action),
    );
    try {
      assertWithinCeiling(access, narrowed, []);
    } catch {
      throw AccessErrors.ruleCeiling();
    }
  }

  /** The object type exists, the role is the account's, and the condition only uses known fields. */
  private async checkRule(accountId: string, input: CreateRecordRuleDto): Promise<void> {
    const fields = await this.subjects.fields(accountId, input.objectType);
    if (!fields) {
      throw AccessErrors.unknownSubject('objectType', input.objectType);
    }
    if (
      input.roleId &&
      !(await this.transactions.manager.existsBy(Role, { accountId, id: input.roleId }))
    ) {
      throw AccessErrors.roleNotFound();
    }
    validateCondition(
      input.condition,
      { ...fields, [OWNER_FIELD]: 'string', [BUSINESS_UNIT_FIELD]: 'string' },
      'condition',
    );
  }

  private async find(id: string): Promise<RecordRule> {
    const rule = await this.transactions.manager.findOneBy(RecordRule, {
      accountId: this.context.requireAccountId(),
      id,
    });
    if (!rule) {
      throw AccessErrors.ruleNotFound();
    }
    return rule;
  }
}

function auditView(rule: RecordRule): Record<string, unknown> {
  return {
    name: rule.name,
    objectType: rule.objectType,
    actions: rule.actions,
    effect: rule.effect,
    roleId: rule.roleId,
    condition: rule.condition,
  };
}

function toRuleDto(rule: RecordRule): RecordRuleDto {
  return {
    id: rule.id,
    name: rule.name,
    objectType: rule.objectType,
    actions: rule.actions,
    effect: rule.effect,
    roleId: rule.roleId,
    condition: rule.condition,
    createdAt: rule.createdAt.toISOString(),
    updatedAt: rule.updatedAt.toISOString(),
  };
}
