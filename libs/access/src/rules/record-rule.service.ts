import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuditService } from '@custos/audit';
import { Clock, RequestContext, TransactionHost, isSuperAdminInPerson, newId } from '@custos/core';
import { AccessErrors } from '../access.errors';
import { type AccessSubjects, lookUpSubjects } from '../access.ports';
import { BUSINESS_UNIT_FIELD, OWNER_FIELD } from '../access.types';
import { AccessService } from '../abilities/access.service';
import {
  conditionFields,
  validateCondition,
  type Condition,
} from '../conditions/condition-language';
import { DelegationCheck } from '../delegation/delegation-check';
import { FieldReadability } from '../fields/field-readability';
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
    private readonly delegation: DelegationCheck,
    private readonly readability: FieldReadability,
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
    const readable = await this.readableByType(rules.map((rule) => rule.objectType));
    return rules.map((rule) => toRuleDto(rule, readable.get(rule.objectType)!));
  }

  async get(id: string): Promise<RecordRuleDto> {
    const rule = await this.find(id);
    const readable = await this.readableByType([rule.objectType]);
    return toRuleDto(rule, readable.get(rule.objectType)!);
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
    await this.delegation.checked(async () => {
      await this.transactions.manager.save(RecordRule, rule);
      await this.access.bump(accountId);
      await this.audit.record({
        action: 'record_rule.created',
        targetType: 'record_rule',
        targetId: rule.id,
        metadata: { after: auditView(rule) },
      });
    }, 'condition');
    return toRuleDto(rule, null);
  }

  async replace(id: string, input: CreateRecordRuleDto): Promise<RecordRuleDto> {
    const accountId = this.context.requireAccountId();
    await this.checkRule(accountId, input);
    return this.delegation.checked(async () => {
      const rule = await this.find(id);
      this.assertMayChange(rule);
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
      await this.transactions.manager.save(RecordRule, rule);
      await this.access.bump(accountId);
      await this.audit.record({
        action: 'record_rule.updated',
        targetType: 'record_rule',
        targetId: id,
        metadata: { before, after: auditView(rule) },
      });
      return toRuleDto(rule, null);
    }, 'condition');
  }

  async remove(id: string): Promise<void> {
    await this.delegation.checked(async () => {
      const rule = await this.find(id);
      this.assertMayChange(rule);
      await this.transactions.manager.delete(RecordRule, { id });
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
   * Account-wide rules bind everyone, including whoever holds a privilege only later: changing or
   * deleting one is for super admins in person. (Role-bound rules are left to the delegation
   * check, which holds for later holders too: giving them the role is itself checked.)
   */
  private assertMayChange(rule: RecordRule): void {
    const actor = this.context.requireActor();
    if (rule.roleId === null && !isSuperAdminInPerson(actor)) {
      throw AccessErrors.accountWideRule();
    }
  }

  /**
   * The object type exists, the role is the account's, and the condition only uses known fields
   * that are not sealed (422: it could not be enforced, and would store a sensitive value in
   * clear) and that the author may read: a rule is administration, not a probe of values the
   * author cannot see (a rule on a hidden field would tell its matches by which records turn up).
   */
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
    const sealed = (await this.subjects.sealedFields?.(accountId, input.objectType)) ?? new Set();
    const author = await this.access.accessFor(this.context.requireActor());
    const readable = await this.readability.readableBy(accountId, input.objectType, author);
    for (const field of conditionFields(input.condition)) {
      if (sealed.has(field)) {
        throw AccessErrors.sealedConditionField(`condition.${field}`);
      }
      if (!readable.has(field)) {
        throw AccessErrors.hiddenConditionField(`condition.${field}`);
      }
    }
  }

  /** Per object type, the fields the reader may read (null: a super admin in person, all). */
  private async readableByType(
    objectTypes: readonly string[],
  ): Promise<Map<string, ReadonlySet<string> | null>> {
    const actor = this.context.requireActor();
    const access = await this.access.accessFor(actor);
    const result = new Map<string, ReadonlySet<string> | null>();
    for (const objectType of new Set(objectTypes)) {
      result.set(
        objectType,
        isSuperAdminInPerson(actor)
          ? null
          : await this.readability.readableBy(actor.accountId, objectType, access),
      );
    }
    return result;
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

/**
 * A rule as its reader may see it: values tested on fields the reader may not read are replaced
 * by `{ "$redacted": true }` (`readable` null: every field is readable).
 */
function toRuleDto(rule: RecordRule, readable: ReadonlySet<string> | null): RecordRuleDto {
  return {
    id: rule.id,
    name: rule.name,
    objectType: rule.objectType,
    actions: rule.actions,
    effect: rule.effect,
    roleId: rule.roleId,
    condition: readable ? redactCondition(rule.condition, readable) : rule.condition,
    createdAt: rule.createdAt.toISOString(),
    updatedAt: rule.updatedAt.toISOString(),
  };
}

function redactCondition(condition: Condition, readable: ReadonlySet<string>): Condition {
  const result: Condition = {};
  for (const [key, value] of Object.entries(condition)) {
    if (key === '$and' || key === '$or') {
      result[key] = (value as Condition[]).map((c) => redactCondition(c, readable));
    } else if (key === '$not') {
      result[key] = redactCondition(value as Condition, readable);
    } else {
      result[key] = readable.has(key) ? value : { $redacted: true };
    }
  }
  return result;
}
