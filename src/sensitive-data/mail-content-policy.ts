import { Injectable } from '@nestjs/common';
import type { MailContentPolicy, MailToSend } from '@custos/core';
import { SensitiveDataChannelPolicy } from './channel-policy';

/**
 * What may go out by mail, decided by the sensitive-data channel policy: a mail is a `template`
 * channel, so a mail carrying the value of a sensitive property is refused (403
 * `sensitive_data.channel_forbidden`, naming it) before anything is written to the outbox.
 */
@Injectable()
export class SensitiveDataMailPolicy implements MailContentPolicy {
  constructor(private readonly channels: SensitiveDataChannelPolicy) {}

  assertAllowed(mail: MailToSend): Promise<void> {
    return this.channels.assertAllowed('template', mail.carries ?? [], undefined, {
      accountId: mail.accountId,
    });
  }
}
