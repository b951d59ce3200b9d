import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PagingDto } from '../pagination/pagination';
import type { MailOutboxEntry, MailStatus } from './mail-outbox.entity';

/** One mail of the outbox. */
export class OutboxMailDto {
  @ApiProperty({ example: '01936f0e-4b7c-7c3a-9b1e-2f4d5e6a7b8c' })
  id!: string;

  @ApiProperty({ example: 'form.notification' })
  kind!: string;

  @ApiProperty({ example: '<01936f0e-4b7c-7c3a-9b1e-2f4d5e6a7b8c@example.com>' })
  messageId!: string;

  @ApiProperty({ example: ['owner@example.com'] })
  to!: string[];

  @ApiProperty({ example: 'New submission of "Contact us"' })
  subject!: string;

  @ApiProperty({ description: 'The plain-text body (never carries sensitive values).' })
  text!: string;

  @ApiProperty({ enum: ['pending', 'sent', 'failed'], example: 'pending' })
  status!: MailStatus;

  @ApiProperty({ example: 0 })
  attempts!: number;

  @ApiPropertyOptional({
    nullable: true,
    example: 'smtp_451',
    description: 'Why the last attempt failed, as a code.',
  })
  lastError!: string | null;

  @ApiProperty({ example: '2026-12-05T09:00:00.000Z' })
  createdAt!: string;

  @ApiPropertyOptional({ nullable: true, example: null })
  sentAt!: string | null;
}

export class OutboxMailPageDto {
  @ApiProperty({ type: [OutboxMailDto] })
  results!: OutboxMailDto[];

  @ApiPropertyOptional({ type: PagingDto })
  paging?: PagingDto;
}

export function toOutboxMailDto(mail: MailOutboxEntry): OutboxMailDto {
  return {
    id: mail.id,
    kind: mail.kind,
    messageId: mail.messageId,
    to: mail.recipients,
    subject: mail.subject,
    text: mail.text,
    status: mail.status,
    attempts: mail.attempts,
    lastError: mail.lastError,
    createdAt: mail.createdAt.toISOString(),
    sentAt: mail.sentAt?.toISOString() ?? null,
  };
}
