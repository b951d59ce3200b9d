import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, Authenticated, IdParam, PageQueryDto, type Page } from '@custos/core';
import { NotificationPageDto, type NotificationDto } from './notification.dto';
import { NotificationService } from './notification.service';

@ApiTags('me')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated')
@Controller('api/v1/me/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'Your notifications (form submissions)',
    description:
      "Newest first. Each shows the submitted record's form fields as you may see them now: fields you may not " +
      'read are listed in `redacted`, highly sensitive ones in `masked`; a record you may not read is absent ' +
      '(`recordAccessible: false`). Sensitive values shown are audited (`sensitive_data.viewed`).',
  })
  @ApiOkResponse({ type: NotificationPageDto })
  @ApiProblemResponses('validation')
  list(@Query() query: PageQueryDto): Promise<Page<NotificationDto>> {
    return this.notifications.list(query);
  }

  @Post(':notificationId/read')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Mark one of your notifications read' })
  @ApiNoContentResponse({ description: 'Marked read.' })
  @ApiProblemResponses('not_found', 'validation')
  async markRead(@IdParam('notificationId') id: string): Promise<void> {
    await this.notifications.markRead(id);
  }
}
