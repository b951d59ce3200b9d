import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Query,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiProblemResponses,
  IdParam,
  PageQueryDto,
  Public,
  RequirePrivilege,
  type Page,
} from '@custos/core';
import { PackageDto, PackageItemPageDto, RedactItemsDto, ReleasePackageDto } from './package.dto';
import { PrivacyPackages, type PackageItemView, type PackageView } from './privacy-packages';

const ZIP = 'application/zip';

@ApiTags('privacy')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden', 'not_found', 'validation')
@Controller('privacy-requests/:requestId/package')
export class PrivacyPackagesController {
  constructor(private readonly packages: PrivacyPackages) {}

  @Post()
  @HttpCode(202)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Build the access or portability package of a request',
    description:
      'For a request of type access or portability that is in progress (its subject’s identity verified); 409 otherwise, and when the request has a package. A job builds a ZIP (manifest, one JSON per data category, one CSV per registered source, the recipients the data went to) from every place the subject lookup finds — for portability, the contact’s own properties — with values read under your rights, sealed in the file store. Poll `GET` until `review`.',
  })
  @ApiAcceptedResponse({ type: PackageDto })
  @ApiProblemResponses('conflict')
  build(@IdParam('requestId') requestId: string): Promise<PackageView> {
    return this.packages.build(requestId);
  }

  @Get()
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({ summary: "A request's package: its state, counts and SHA-256" })
  @ApiOkResponse({ type: PackageDto })
  get(@IdParam('requestId') requestId: string): Promise<PackageView> {
    return this.packages.get(requestId);
  }

  @Get('items')
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: "Review a package's items",
    description:
      'A page of the places the package carries, with their values as you may see them (sensitive values only if you may read them). Audited with the count.',
  })
  @ApiOkResponse({ type: PackageItemPageDto })
  @ApiProblemResponses('conflict')
  items(
    @IdParam('requestId') requestId: string,
    @Query() page: PageQueryDto,
  ): Promise<Page<PackageItemView>> {
    return this.packages.items(requestId, page);
  }

  @Post('redactions')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Redact items of a package before release',
    description:
      'Leaves the items out (other people’s data, Art. 15(4)); the file is built again without them (the package is `building`, then `review`). Before release only (409 after). Audited with the count, not the reason.',
  })
  @ApiOkResponse({ type: PackageDto })
  @ApiProblemResponses('conflict')
  redact(
    @IdParam('requestId') requestId: string,
    @Body() body: RedactItemsDto,
  ): Promise<PackageView> {
    return this.packages.redact(requestId, body);
  }

  @Post('release')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Release a reviewed package',
    description:
      'Once (409 when it is not in review). To the subject: a single-use download link, valid for a limited time, mailed to the request’s address. To staff: downloadable through `GET …/package/file`. Audited.',
  })
  @ApiOkResponse({ type: PackageDto })
  @ApiProblemResponses('conflict')
  release(
    @IdParam('requestId') requestId: string,
    @Body() body: ReleasePackageDto,
  ): Promise<PackageView> {
    return this.packages.release(requestId, body.to);
  }

  @Post('withdraw')
  @HttpCode(200)
  @RequirePrivilege('manage_privacy_requests')
  @ApiOperation({
    summary: 'Withdraw a package',
    description: 'Its file is deleted and its link stops working. Audited.',
  })
  @ApiOkResponse({ type: PackageDto })
  @ApiProblemResponses('conflict')
  withdraw(@IdParam('requestId') requestId: string): Promise<PackageView> {
    return this.packages.withdraw(requestId);
  }

  @Get('file')
  @RequirePrivilege('manage_privacy_requests')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Download a package released to staff',
    description: 'Audited with the file’s SHA-256. 409 unless it was released to staff.',
  })
  @ApiProduces(ZIP)
  @ApiOkResponse({ description: 'The ZIP, `Content-Disposition: attachment`.' })
  @ApiProblemResponses('conflict', 'gone')
  async file(@IdParam('requestId') requestId: string): Promise<StreamableFile> {
    const { file, size } = await this.packages.staffDownload(requestId);
    return zipResponse(file, size);
  }
}

/** The subject's download: no login; the mailed token is the only thing that names the package. */
@ApiTags('privacy (public)')
@Controller('public/privacy-packages')
export class PublicPrivacyPackagesController {
  constructor(private readonly packages: PrivacyPackages) {}

  @Get(':token')
  @Public()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  @ApiOperation({
    summary: 'Download your personal data (the link you were mailed)',
    description:
      'Works once, until the link expires: 410 after that or once used, 404 for a link that names nothing, 422 for a token that cannot be one.',
  })
  @ApiProduces(ZIP)
  @ApiOkResponse({ description: 'The ZIP, `Content-Disposition: attachment`.' })
  @ApiProblemResponses('not_found', 'gone', 'validation')
  async download(@Param('token') token: string): Promise<StreamableFile> {
    const { file, size } = await this.packages.subjectDownload(token);
    return zipResponse(file, size);
  }
}

function zipResponse(file: NodeJS.ReadableStream, size: number | null): StreamableFile {
  return new StreamableFile(file as never, {
    type: ZIP,
    disposition: 'attachment; filename="personal-data.zip"',
    length: size ?? undefined,
  });
}
