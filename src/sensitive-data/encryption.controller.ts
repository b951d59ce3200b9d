import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses, RequireSuperAdmin } from '@custos/core';
import { EncryptionStatusDto } from './encryption.dto';
import { EncryptionService } from './encryption.service';

@ApiTags('sensitive data')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiProblemResponses('unauthenticated', 'forbidden')
@Controller('api/v1/settings/encryption')
export class EncryptionController {
  constructor(private readonly encryption: EncryptionService) {}

  @Get()
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Encryption keys: active version, versions in use, rotation progress',
    description:
      'Super admins only. Counts the values each data-key version seals (a scan of the encrypted values) and shows the current or last rotation.',
  })
  @ApiOkResponse({ type: EncryptionStatusDto })
  status(): Promise<EncryptionStatusDto> {
    return this.encryption.status();
  }

  @Post('rotate')
  @HttpCode(202)
  @RequireSuperAdmin()
  @ApiOperation({
    summary: 'Rotate the data key and re-encrypt every value in the background',
    description:
      'Super admins in person only (not partner admins, apps or support). Makes a new data-key version that seals every new value at once, and re-encrypts the values on older versions in batches in the background; follow the progress with `GET /api/v1/settings/encryption`. Old keys stay while any value uses them, so every value can be read throughout. 409 while a rotation of the account is running. Audited (`encryption.rotation_started`, then `encryption.rotation_completed`).',
  })
  @ApiAcceptedResponse({ type: EncryptionStatusDto })
  @ApiProblemResponses('conflict')
  rotate(): Promise<EncryptionStatusDto> {
    return this.encryption.rotate();
  }
}
