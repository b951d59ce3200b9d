import { Global, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { FileStore } from './file-store';

/**
 * Makes one {@link FileStore} injectable everywhere: `FileStoreModule.forRoot(store)` once, in
 * the root module (the server picks local disk or S3 from its configuration).
 */
@Global()
@Module({})
export class FileStoreModule implements OnApplicationShutdown {
  constructor(private readonly store: FileStore) {}

  static forRoot(store: FileStore): DynamicModule {
    return {
      module: FileStoreModule,
      providers: [{ provide: FileStore, useValue: store }],
      exports: [FileStore],
    };
  }

  onApplicationShutdown(): void {
    this.store.close();
  }
}
