import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdirSync } from 'node:fs';
import { createLogger } from '@custos/core';
import { InitialAccountService } from '@custos/identity';
import { AppModule } from './app.module';
import { ConfigError, loadServerConfig, type ServerConfig } from './config/server-config';
import { configureApp } from './configure-app';

function loadConfigOrExit(): ServerConfig {
  try {
    return loadServerConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  mkdirSync(config.dataDir, { recursive: true });
  const logger = createLogger({ level: config.logLevel });
  if (config.masterKeyCreated) {
    logger.warn(
      `Created a new master key in ${config.dataDir}/master.key. Back it up: without it, signed audit heads and future encrypted data cannot be verified or read.`,
    );
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  configureApp(app, config, logger);
  const initial = await app
    .get(InitialAccountService)
    .ensure({ email: config.adminEmail, password: config.adminPassword });
  if (initial) {
    logger.info({ accountId: initial.accountId }, 'Created account "Demo" and its super admin');
    if (initial.generatedPassword) {
      // Printed once, straight to the console and never through the logger, so it is in no log file.
      process.stdout.write(
        `\n  First start: sign in as super admin of account "Demo"\n    email:    ${initial.email}\n    password: ${initial.generatedPassword}\n  (shown only now; set CUSTOS_ADMIN_PASSWORD to choose it)\n\n`,
      );
    }
  }
  await app.listen(config.port, config.host);
  logger.info(
    `Custos listens on http://${config.host}:${config.port} — Swagger UI at http://${config.host}:${config.port}/docs`,
  );
}

bootstrap().catch((error: unknown) => {
  // A setting found wrong only when used (e.g. a Redis that does not answer) stops the start too.
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
});
