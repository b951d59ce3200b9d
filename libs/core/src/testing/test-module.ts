import type { ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { connectionOptionsOf, createTestDatabase, type DatabaseKind } from './test-database';

/** A Nest testing module started on a database made for it. */
export interface StartedTestModule {
  readonly module: TestingModule;
  /** Closes the module, then drops its database. */
  readonly close: () => Promise<void>;
}

/**
 * Makes a fresh database of `kind` and starts the testing module `metadataOn` describes for its
 * connection options (spread them into `TypeOrmModule.forRoot`). A module that fails to start
 * is closed and its database dropped before the error is thrown on.
 */
export async function startTestModule(
  kind: DatabaseKind,
  metadataOn: (connection: ReturnType<typeof connectionOptionsOf>) => ModuleMetadata,
): Promise<StartedTestModule> {
  const database = await createTestDatabase(kind);
  let module: TestingModule | undefined;
  try {
    module = await Test.createTestingModule(metadataOn(connectionOptionsOf(database))).compile();
    await module.init();
  } catch (error) {
    await module?.close();
    await database.drop();
    throw error;
  }
  const started = module;
  return {
    module: started,
    close: async () => {
      await started.close();
      await database.drop();
    },
  };
}
