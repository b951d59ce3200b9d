import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Post,
  Query,
  StreamableFile,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, Authenticated, IdParam, PageQueryDto, type Page } from '@custos/core';
import { OBJECT_TYPE_NAMES, ObjectTypeParam } from '../kernel';
import {
  AttachmentUploadInterceptor,
  type UploadedAttachment,
} from './attachment-upload.interceptor';
import {
  AttachmentDto,
  AttachmentPageDto,
  AttachmentUploadDto,
  UploadAttachmentDto,
} from './attachment.dto';
import { AttachmentService } from './attachment.service';

const ATTACHMENT_ID = {
  name: 'attachmentId',
  example: '0193a6c4-7f1e-7c3a-9d1e-000000000070',
  description: 'Id of the attachment (from the upload or the record’s list).',
};

@ApiTags('attachments')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden', 'not_found', 'validation')
@Controller('api/v1')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentService) {}

  @Post('objects/:objectType/:recordId/attachments')
  @Authenticated()
  @UseInterceptors(AttachmentUploadInterceptor)
  @ApiParam({ name: 'objectType', enum: OBJECT_TYPE_NAMES, example: 'contacts' })
  @ApiParam({ name: 'recordId', example: '0193a6c4-7f1e-7c3a-9d1e-000000000010' })
  @ApiOperation({
    summary: 'Attach a file to a record',
    description:
      'Needs edit access to the record (403 when you may only read it, 404 when you may not see it). When the account has sensitive data enabled, the file is encrypted with the account’s data key before it is stored (`encrypted: true`); files uploaded before stay as they were. With `property`, the file is held by that file property from the start (422 if it is not a file property of the type, 403 naming `property` if you may not edit it).',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: AttachmentUploadDto })
  @ApiCreatedResponse({ type: AttachmentDto })
  @ApiProblemResponses('payload_too_large', 'conflict')
  upload(
    @ObjectTypeParam('objectType') objectType: string,
    @IdParam('recordId') recordId: string,
    @Body() body: UploadAttachmentDto,
    @UploadedFile() file: UploadedAttachment | undefined,
  ): Promise<AttachmentDto> {
    return this.attachments.upload(objectType, recordId, file, body.property ?? null);
  }

  @Get('objects/:objectType/:recordId/attachments')
  @Authenticated()
  @ApiParam({ name: 'objectType', enum: OBJECT_TYPE_NAMES, example: 'contacts' })
  @ApiParam({ name: 'recordId', example: '0193a6c4-7f1e-7c3a-9d1e-000000000010' })
  @ApiOperation({
    summary: 'List the files of a record',
    description:
      'Metadata only, oldest first, with cursor pagination. Needs read access to the record.',
  })
  @ApiOkResponse({ type: AttachmentPageDto })
  list(
    @ObjectTypeParam('objectType') objectType: string,
    @IdParam('recordId') recordId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<AttachmentDto>> {
    return this.attachments.list(objectType, recordId, query);
  }

  @Get('attachments/:attachmentId')
  @Authenticated()
  @ApiParam(ATTACHMENT_ID)
  @ApiOperation({
    summary: 'Get the metadata of a file',
    description: 'Needs read access to the record the file is attached to.',
  })
  @ApiOkResponse({ type: AttachmentDto })
  get(@IdParam('attachmentId') id: string): Promise<AttachmentDto> {
    return this.attachments.get(id);
  }

  @Get('attachments/:attachmentId/content')
  @Authenticated()
  // Uploaded bytes are never run as a page of this origin, whatever their declared type.
  @Header('Content-Security-Policy', "default-src 'none'; sandbox")
  @ApiParam(ATTACHMENT_ID)
  @ApiOperation({
    summary: 'Download a file',
    description:
      'The bytes as uploaded, with their content type and `Content-Disposition: attachment`. Needs read access to the record. Encrypted files are decrypted for the caller (and the download audited), never for a support session (403); one that fails its integrity check is refused with a 503 problem.',
  })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({
    description: 'The file.',
    content: {
      'application/octet-stream': {
        schema: { type: 'string', format: 'binary' },
        example: '%PDF-1.7 …',
      },
    },
  })
  @ApiProblemResponses('unavailable')
  download(@IdParam('attachmentId') id: string): Promise<StreamableFile> {
    return this.attachments.download(id);
  }

  @Delete('attachments/:attachmentId')
  @HttpCode(204)
  @Authenticated()
  @ApiParam(ATTACHMENT_ID)
  @ApiOperation({
    summary: 'Delete a file',
    description:
      'Removes the file for good. Needs edit access to the record (403 when you may only read it).',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  async remove(@IdParam('attachmentId') id: string): Promise<void> {
    await this.attachments.remove(id);
  }
}
