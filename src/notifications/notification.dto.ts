import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, MaxLength } from 'class-validator';
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

export class NotificationEmailSettingDto {
  @ApiProperty({ example: 'form_submission' })
  kind!: string;

  @ApiProperty({ description: 'Whether you get an e-mail for each of these.', example: true })
  email!: boolean;
}

export class NotificationSettingsDto {
  @ApiProperty({
    type: [NotificationEmailSettingDto],
    description:
      'Every kind of notification that can be sent by e-mail. Mails say what happened (e.g. which form ' +
      'was submitted), never the values: those stay in the app, shown as your access allows.',
  })
  kinds!: NotificationEmailSettingDto[];
}

export class UpdateNotificationSettingsDto {
  @ApiProperty({
    type: [String],
    description:
      'The kinds of notification you want by e-mail too (replaces the list; `[]`: none, the default).',
    example: ['form_submission'],
  })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  emailKinds!: string[];
}
