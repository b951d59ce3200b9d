import { Injectable, type OnModuleInit } from '@nestjs/common';
import { In } from 'typeorm';
import { NotificationInbox, TransactionHost, type Notification } from '@custos/core';
import { Account } from '@custos/identity';
import { PartnerEmployee } from '../firms/partner-employee.entity';
import { PartnerFirm } from '../firms/partner-firm.entity';

/** The firm's admins hear when one of their employees gains or loses access to a customer account. */
export const PARTNER_ACCESS_CHANGED = 'partner_access_changed';

/** What changed: how the access began, or why it ended. */
export type PartnerAccessChange =
  'link_approved' | 'migrated' | 'created' | 'ended_by_customer' | 'employee_removed' | 'expired';

/** What the notification shows a firm admin. */
export interface PartnerAccessNotificationFields {
  partnerAccess: {
    customerAccountId: string;
    customerAccountName: string | null;
    employeeUserId: string;
    change: PartnerAccessChange;
  };
}

interface Refs {
  customerAccountId: string;
  employeeUserId: string;
  change: PartnerAccessChange;
}

/** Notifications to partner firms, in their own (home) account's inbox. */
@Injectable()
export class PartnerNotifications implements OnModuleInit {
  constructor(
    private readonly inbox: NotificationInbox,
    private readonly transactions: TransactionHost,
  ) {}

  onModuleInit(): void {
    this.inbox.register({
      kind: PARTNER_ACCESS_CHANGED,
      render: (notifications) => this.render(notifications),
      mail: () =>
        Promise.resolve({
          subject: "A partner employee's access to a customer account changed",
          text: 'See it in your notifications in Custos.',
          carries: [],
        }),
    });
  }

  /** Tells the firm's admins, in the current transaction. */
  async accessChanged(
    firmId: string,
    customerAccountId: string,
    employeeUserId: string,
    change: PartnerAccessChange,
  ): Promise<void> {
    const manager = this.transactions.manager;
    const firm = await manager.findOneBy(PartnerFirm, { id: firmId });
    if (!firm) {
      return;
    }
    const admins = await manager.findBy(PartnerEmployee, { firmId, firmAdmin: true });
    const refs: Refs = { customerAccountId, employeeUserId, change };
    await this.inbox.send({
      accountId: firm.homeAccountId,
      recipientUserIds: admins.map((a) => a.userId),
      kind: PARTNER_ACCESS_CHANGED,
      refs: { ...refs },
    });
  }

  private async render(
    notifications: readonly Notification[],
  ): Promise<ReadonlyMap<string, PartnerAccessNotificationFields>> {
    const refsOf = (n: Notification) => n.refs as unknown as Refs;
    const accounts = await this.transactions.manager.find(Account, {
      where: { id: In([...new Set(notifications.map((n) => refsOf(n).customerAccountId))]) },
      select: { id: true, name: true },
    });
    const names = new Map(accounts.map((a) => [a.id, a.name]));
    return new Map(
      notifications.map((n) => {
        const refs = refsOf(n);
        return [
          n.id,
          {
            partnerAccess: {
              customerAccountId: refs.customerAccountId,
              customerAccountName: names.get(refs.customerAccountId) ?? null,
              employeeUserId: refs.employeeUserId,
              change: refs.change,
            },
          },
        ];
      }),
    );
  }
}
