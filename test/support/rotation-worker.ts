/**
 * The real server module without HTTP, for the kill tests (key rotation, imports): boots
 * `AppModule` from the environment (`DATABASE_URL`, `CUSTOS_MASTER_KEY`, `REDIS_URL`, …) so that
 * its job workers resume unfinished work, prints `ready`, and runs until killed.
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
