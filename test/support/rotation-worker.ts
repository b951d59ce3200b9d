/**
 * The real server module without HTTP, for the key-rotation kill test: boots `AppModule` from the
 * environment (`DATABASE_URL`, `CUSTOS_MASTER_KEY`, `CUSTOS_ROTATION_BATCH_SIZE`, …) so that its
 * rotation worker resumes unfinished rotations, prints `ready`, and runs until killed.
 * Run with `node -r @swc-node/register test/support/rotation-worker.ts`.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../src/app.module';
import { loadServerConfig } from '../../src/config/server-config';

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(loadServerConfig()), {
    logger: ['error', 'warn'],
  });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0));
  });
}

void main();
