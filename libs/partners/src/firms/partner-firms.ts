import { Injectable } from '@nestjs/common';
import { AuditService } from '@custos/audit';
import {
  Clock,
  RequestContext,
  TransactionHost,
  isMemberInPerson,
  isUniqueViolation,
  newId,
  type Actor,
} from '@custos/core';
import { Membership } from '@custos/identity';
import { PartnersErrors } from '../partners.errors';
import { PartnerAccessEnd } from '../admins/partner-access-end';
import { PartnerEmployee } from './partner-employee.entity';
import { PartnerFirm } from './partner-firm.entity';

/** A firm with its employees, as its members see it. */
export interface PartnerFirmView {
  id: string;
  name: string;
  homeAccountId: string;
  createdAt: Date;
  employees: { userId: string; firmAdmin: boolean }[];
}

/**
 * Partner firms and their employees. A super admin of an account registers it as a partner
 * firm's home and becomes the firm's first admin; firm admins, signed in to the home account,
 * add its members as employees and remove them — which kills their access link and ends their
 * partner access in every customer account.
 */
@Injectable()
export class PartnerFirms {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly accessEnd: PartnerAccessEnd,
  ) {}

  /** Registers the actor's account as the home of a new firm (super admins in person; route policy). */
  async register(name: string): Promise<PartnerFirmView> {
    const actor = this.person();
    const now = this.clock.now();
    const firm: PartnerFirm = { id: newId(), name, homeAccountId: actor.accountId, createdAt: now };
    const admin: PartnerEmployee = {
      userId: actor.userId,
      firmId: firm.id,
      firmAdmin: true,
      linkGeneration: 0,
      createdAt: now,
    };
    try {
      await this.transactions.run(async (manager) => {
        await manager.insert(PartnerFirm, firm);
        await manager.insert(PartnerEmployee, admin);
        await this.audit.record({
          action: 'partner_firm.registered',
          targetType: 'partner_firm',
          targetId: firm.id,
          metadata: { after: { name } },
        });
      });
    } catch (error) {
      throw isUniqueViolation(error) ? PartnersErrors.firmExists() : error;
    }
    return { ...firm, employees: [{ userId: admin.userId, firmAdmin: true }] };
  }

  /** The actor's firm (404 when they belong to none); employees are listed to its admins only. */
  async mine(): Promise<PartnerFirmView> {
    const actor = this.context.requireActor();
    const manager = this.transactions.manager;
    const me = actor.userId
      ? await manager.findOneBy(PartnerEmployee, { userId: actor.userId })
      : null;
    const firm = me ? await manager.findOneBy(PartnerFirm, { id: me.firmId }) : null;
    if (!me || !firm) {
      throw PartnersErrors.firmNotFound();
    }
    const employees = me.firmAdmin
      ? await manager.find(PartnerEmployee, {
          where: { firmId: firm.id },
          order: { userId: 'ASC' },
        })
      : [me];
    return {
      ...firm,
      employees: employees.map((e) => ({ userId: e.userId, firmAdmin: e.firmAdmin })),
    };
  }

  /** Adds an active member of the home account as an employee (firm admins, in the home account). */
  async addEmployee(userId: string, firmAdmin: boolean): Promise<PartnerFirmView> {
    const { firm } = await this.asFirmAdmin();
    await this.transactions.run(async (manager) => {
      const member = await manager.findOneBy(Membership, {
        accountId: firm.homeAccountId,
        userId,
        status: 'active',
      });
      if (!member || member.partnerFirmId !== null) {
        throw PartnersErrors.notHomeMember('userId');
      }
      try {
        await manager.insert(PartnerEmployee, {
          userId,
          firmId: firm.id,
          firmAdmin,
          linkGeneration: 0,
          createdAt: this.clock.now(),
        });
      } catch (error) {
        throw isUniqueViolation(error) ? PartnersErrors.alreadyEmployee('userId') : error;
      }
      await this.audit.record({
        action: 'partner_employee.added',
        targetType: 'user',
        targetId: userId,
        metadata: { firmId: firm.id, firmAdmin },
      });
    });
    return this.mine();
  }

  /**
   * Removes an employee (firm admins, in the home account; not themselves): their link stops
   * working and their partner access to every customer account ends, each audited there.
   */
  async removeEmployee(userId: string): Promise<void> {
    const { firm, me } = await this.asFirmAdmin();
    if (userId === me.userId) {
      throw PartnersErrors.notFirmAdmin();
    }
    await this.transactions.run(async (manager) => {
      const removed = await manager.delete(PartnerEmployee, { userId, firmId: firm.id });
      if (!removed.affected) {
        throw PartnersErrors.employeeNotFound();
      }
      await this.audit.record({
        action: 'partner_employee.removed',
        targetType: 'user',
        targetId: userId,
        metadata: { firmId: firm.id },
      });
      const places = await manager.findBy(Membership, { userId, partnerFirmId: firm.id });
      for (const place of places) {
        await this.accessEnd.end(place, 'employee_removed');
      }
    });
  }

  private async asFirmAdmin(): Promise<{ firm: PartnerFirm; me: PartnerEmployee }> {
    const actor = this.person();
    const manager = this.transactions.manager;
    const me = await manager.findOneBy(PartnerEmployee, { userId: actor.userId });
    const firm = me ? await manager.findOneBy(PartnerFirm, { id: me.firmId }) : null;
    if (!me?.firmAdmin || !firm || firm.homeAccountId !== actor.accountId) {
      throw PartnersErrors.notFirmAdmin();
    }
    return { firm, me };
  }

  private person(): Actor & { readonly userId: string } {
    const actor = this.context.requireActor();
    if (!isMemberInPerson(actor)) {
      throw PartnersErrors.notFirmAdmin();
    }
    return actor;
  }
}
