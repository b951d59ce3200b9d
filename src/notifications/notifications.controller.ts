import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblemResponses,
  Authenticated,
  IdParam,
  NotificationInbox,
  PageQueryDto,
  type NotificationView,
  type Page,
} from '@custos/core';
import { NotificationPageDto } from './notification.dto';

@ApiTags('me')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated')
@Controller('api/v1/me/notifications')
export class NotificationsController {
  constructor(private readonly inbox: NotificationInbox) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'Your notifications, of every kind',
    description:
      'Newest first. Each is rendered now, as you may see it: nothing it refers to is shown beyond your ' +
      "current access. `form_submission`: the submitted record's form fields; fields you may not read are " +
      'listed in `redacted`, highly sensitive ones in `masked`; a record you may not read is absent ' +
      '(`recordAccessible: false`). Sensitive values shown are audited (`sensitive_data.viewed`).',
  })
  @ApiOkResponse({ type: NotificationPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: PageQueryDto): Promise<Page<NotificationView>> {
    return this.inbox.list(query);
  }

  @Post(':notificationId/read')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Mark one of your notifications read' })
  @ApiNoContentResponse({ description: 'Marked read.' })
  @ApiProblemResponses('not_found', 'validation')
  async markRead(@IdParam('notificationId') id: string): Promise<void> {
    await this.inbox.markRead(id);
  }
}
