import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KeyRotationJob } from './key-rotation.entity';
import { KeyRotationConfigurableModule } from './key-rotation.module-definition';
import { KeyRotationRegistry } from './key-rotation.registry';
import { KeyRotationService } from './key-rotation.service';
import { KeyRotationWorker } from './key-rotation.worker';

/** Every entity of the data-key rotation, for the host's DataSource and migrations. */
export const KEY_ROTATION_ENTITIES = [KeyRotationJob];

/**
 * Data-key rotation: `KeyRotationModule.forRoot({ batchSize })` next to `CryptoModule` (global
 * by default, so the host's sources can inject {@link KeyRotationRegistry}). Its table
 * (`crypto_rotation`) is in `KEY_ROTATION_ENTITIES`. Rotations run as jobs of `@custos/core`'s
 * `Jobs` (queue `crypto.key_rotation`): on any instance, resumed after a crash or a restart.
 */
@Module({
  imports: [TypeOrmModule.forFeature(KEY_ROTATION_ENTITIES)],
  providers: [KeyRotationRegistry, KeyRotationService, KeyRotationWorker],
  exports: [KeyRotationRegistry, KeyRotationService],
})
export class KeyRotationModule extends KeyRotationConfigurableModule {}
