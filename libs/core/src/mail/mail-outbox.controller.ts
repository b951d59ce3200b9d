import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../errors/problem-details.dto';
import { mapPage, PageQueryDto, type Page } from '../pagination/pagination';
import { RequireSuperAdmin } from '../policy/route-policy';
import { MailOutbox } from './mail-outbox';
import { OutboxMailPageDto, toOutboxMailDto, type OutboxMailDto } from './mail-outbox.dto';

@ApiTags('mail')
@ApiBearerAuth()
@Controller('api/v1/mail/outbox')
export class MailOutboxController {
  constructor(private readonly outbox: MailOutbox) {}

  @Get()
  @RequireSuperAdmin()
  @ApiOperation({
    summary: "List the account's outgoing mail, newest first",
    description:
      'Super admins only. Every mail the server wrote for the account, with its delivery state: `pending` (waiting, or kept here because no SMTP server is configured: development mode), `sent`, or `failed` after its last attempt. Bodies never carry sensitive values.',
  })
  @ApiOkResponse({ type: OutboxMailPageDto })
  @ApiProblemResponses('unauthenticated', 'forbidden', 'validation')
  async list(@Query() query: PageQueryDto): Promise<Page<OutboxMailDto>> {
    return mapPage(await this.outbox.list(query), toOutboxMailDto);
  }
}
