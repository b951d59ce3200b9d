import { ApiProperty } from '@nestjs/swagger';
import { PagingDto } from '@custos/core';

/** The fields every notification has; its kind adds its own (e.g. `FormSubmissionNotificationDto`). */
export class NotificationDto {
  @ApiProperty({ example: '0193a6c4-7f1e-7c3a-9d1e-000000000040' })
  id!: string;

  @ApiProperty({
    description:
      'What happened; each kind adds fields of its own, rendered as you may see them now. `form_submission`: see FormSubmissionNotificationDto.',
    example: 'form_submission',
  })
  kind!: string;

  @ApiProperty({ example: '2026-11-22T18:42:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: null, nullable: true, type: String })
  readAt!: string | null;
}

export class NotificationPageDto {
  @ApiProperty({ type: [NotificationDto] })
  results!: NotificationDto[];

  @ApiProperty({ type: PagingDto })
  paging!: PagingDto;
}
