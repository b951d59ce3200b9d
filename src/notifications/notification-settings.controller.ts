import { Body, Controller, Get, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, Authenticated, NotificationInbox } from '@custos/core';
import { NotificationSettingsDto, UpdateNotificationSettingsDto } from './notification.dto';

@ApiTags('me')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('api/v1/me/notification-settings')
export class NotificationSettingsController {
  constructor(private readonly inbox: NotificationInbox) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'Which notifications you also get by e-mail',
    description:
      'Personal: private apps and support sessions have none (403 `core.notification_settings_personal`).',
  })
  @ApiOkResponse({ type: NotificationSettingsDto })
  async get(): Promise<NotificationSettingsDto> {
    return { kinds: await this.inbox.emailSettings() };
  }

  @Put()
  @Authenticated()
  @ApiOperation({
    summary: 'Choose the notifications you also get by e-mail',
    description:
      'Replaces the list. Each mail is written with the change that causes it (none if that change ' +
      'fails) and says only what happened, never record values. A kind that cannot be mailed is ' +
      '422 `core.notification_kind_not_mailable` naming `emailKinds[i]`; nothing changes.',
  })
  @ApiBody({
    type: UpdateNotificationSettingsDto,
    examples: {
      formSubmissions: {
        summary: 'Form submissions by e-mail',
        value: { emailKinds: ['form_submission'] },
      },
      none: { summary: 'No e-mail', value: { emailKinds: [] } },
    },
  })
  @ApiOkResponse({ type: NotificationSettingsDto })
  @ApiProblemResponses('validation')
  async update(@Body() body: UpdateNotificationSettingsDto): Promise<NotificationSettingsDto> {
    return { kinds: await this.inbox.setEmailKinds(body.emailKinds) };
  }
}
