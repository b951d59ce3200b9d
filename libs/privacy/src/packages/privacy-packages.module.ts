import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PrivacyPackage } from './privacy-package.entity';
import {
  PrivacyPackagesController,
  PublicPrivacyPackagesController,
} from './privacy-packages.controller';
import { PrivacyPackages } from './privacy-packages';

/**
 * Access and portability packages (Art. 15, 20): built by a job, reviewed, released. Needs
 * `PrivacyModule`, core's jobs and file store, `CryptoModule` (sealing), `MailModule` (the
 * subject's link) and, for values and files, the host's `PRIVACY_VALUE_READERS` and
 * `PRIVACY_FILE_READERS`. Mounts no routes: import {@link PrivacyPackagesHttpModule}.
 */
@Module({
  imports: [TypeOrmModule.forFeature([PrivacyPackage])],
  providers: [PrivacyPackages],
  exports: [PrivacyPackages],
})
export class PrivacyPackagesModule {}

/**
 * The package routes under `privacy-requests/{id}/package` (`manage_privacy_requests`) and the
 * subject's public download (`public/privacy-packages/{token}`). Mount under `api/v1`.
 */
@Module({
  imports: [PrivacyPackagesModule],
  controllers: [PrivacyPackagesController, PublicPrivacyPackagesController],
})
export class PrivacyPackagesHttpModule {}
