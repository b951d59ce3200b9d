import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '@custos/audit';
import { Bounces, normaliseAddress, type HardBounce } from '@custos/consent';
import { Clock, MailOutboxEntry, systemActor } from '@custos/core';
import { MailingRecipient } from './mailing.entity';

/**
 * A hard bounce of a mailing's mail marks its recipient `bounced`, in the bounce's transaction.
 * The mail is the one the bounce's `Message-ID` names (the outbox's, unique), of the account the
 * VERP return path names, and it must have gone to the bounced address: a bounce never marks
 * another account's recipient, nor a mail to someone else. Without a `Message-ID` the bounce
 * counts for the address only (consent's bounce rule).
 */
@Injectable()
export class MailingBounces implements OnModuleInit {
  constructor(
    private readonly bounces: Bounces,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.bounces.onHardBounce((bounce, manager) => this.bounced(bounce, manager));
  }

  private async bounced(bounce: HardBounce, manager: EntityManager): Promise<void> {
    if (!bounce.messageId) {
      return;
    }
    const mail = await manager.findOne(MailOutboxEntry, {
      where: { messageId: bounce.messageId, accountId: bounce.accountId },
      select: { id: true, recipients: true },
    });
    if (!mail?.recipients.some((to) => normaliseAddress(to)?.value === bounce.address)) {
      return;
    }
    const recipient = await manager.findOneBy(MailingRecipient, {
      accountId: bounce.accountId,
      mailId: mail.id,
      status: 'sent',
    });
    if (!recipient) {
      return;
    }
    const result = await manager.update(
      MailingRecipient,
      { mailingId: recipient.mailingId, contactId: recipient.contactId, status: 'sent' },
      { status: 'bounced', updatedAt: this.clock.now() },
    );
    if (result.affected === 1) {
      await this.audit.record({
        accountId: bounce.accountId,
        actor: systemActor(bounce.accountId),
        action: 'mailing.recipient_bounced',
        targetType: 'mailing',
        targetId: recipient.mailingId,
        metadata: { contactId: recipient.contactId },
      });
    }
  }
}
