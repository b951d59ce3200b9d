import { Injectable, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, RouterModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import {
  ACCESS_DIRECTORY,
  ACCESS_ENTITIES,
  ACCESS_MIGRATIONS,
  AccessModule,
  AccessService,
} from '@custos/access';
import { APPROVAL_ENTITIES, APPROVAL_MIGRATIONS, ApprovalsModule } from '@custos/approvals';
import { AUDIT_ENTITIES, AUDIT_MIGRATIONS, AuditModule } from '@custos/audit';
import {
  CORE_MIGRATIONS,
  CoreModule,
  CustosError,
  CustosValidationPipe,
  FileStoreModule,
  JOB_ENTITIES,
  LocalDiskFileStore,
  NOTIFICATION_ENTITIES,
  PolicyGuard,
  ProblemDetailsFilter,
  RequestContext,
  TransactionHost,
  deriveKey,
} from '@custos/core';
import { CRYPTO_ENTITIES, CRYPTO_MIGRATIONS, CryptoModule, LocalKeyProvider } from '@custos/crypto';
import {
  EXPORT_SOURCES,
  EXPORTS_ENTITIES,
  EXPORTS_MIGRATIONS,
  ExportsHttpModule,
  ExportsModule,
  type ExportPlan,
  type ExportRow,
  type ExportSource,
  type ExportTarget,
} from '@custos/exports';
import {
  AuthenticationGuard,
  IDENTITY_ENTITIES,
  IDENTITY_MIGRATIONS,
  IdentityAccessDirectory,
  IdentityHttpModule,
  IdentityModule,
} from '@custos/identity';

/** Your data: a note per row, in the account that wrote it. */
@Entity('my_note')
export class Note {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 500 })
  text!: string;
}

/** What your users may export: their account's notes, in pages, under your own rules. */
@Injectable()
export class NotesExportSource implements ExportSource {
  readonly name = 'notes';

  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
  ) {}

  async plan(target: ExportTarget): Promise<ExportPlan> {
    const unknown = target.properties.findIndex((p) => p !== 'text');
    if (target.properties.length === 0 || unknown >= 0) {
      const field = unknown >= 0 ? `properties[${unknown}]` : 'properties';
      throw CustosError.invalidField('notes.invalid', field, 'only `text` can be exported');
    }
    const count = await this.transactions.manager.countBy(Note, {
      accountId: this.context.requireAccountId(),
    });
    const columns = [{ name: 'text', type: 'string' as const, sensitive: false }];
    return { columns, count, sensitive: false, description: { notes: 'all' } };
  }

  async *rows(_target: ExportTarget, signal: AbortSignal): AsyncIterable<ExportRow[]> {
    let after = '';
    while (!signal.aborted) {
      const notes = await this.transactions.manager
        .createQueryBuilder(Note, 'n')
        .where('n.accountId = :accountId AND n.id > :after', {
          accountId: this.context.requireAccountId(),
          after,
        })
        .orderBy('n.id')
        .limit(500)
        .getMany();
      if (notes.length === 0) {
        return;
      }
      yield notes.map((note) => [note.text]);
      after = notes[notes.length - 1].id;
    }
  }
}

/** Your own 32-byte secret, e.g. from a secret manager. */
const masterSecret = Buffer.from(process.env.MY_APP_SECRET ?? '', 'base64');

@Module({
  imports: [
    CoreModule.forRoot({ isGlobal: true, privilegeResolver: AccessService }),
    TypeOrmModule.forRoot({
      type: 'better-sqlite3',
      database: 'my-app.sqlite',
      entities: [
        ...AUDIT_ENTITIES,
        ...ACCESS_ENTITIES,
        ...IDENTITY_ENTITIES,
        ...CRYPTO_ENTITIES,
        ...JOB_ENTITIES,
        ...NOTIFICATION_ENTITIES,
        ...APPROVAL_ENTITIES,
        ...EXPORTS_ENTITIES,
        Note,
      ],
      migrations: [
        ...CORE_MIGRATIONS.sqlite,
        ...AUDIT_MIGRATIONS.sqlite,
        ...CRYPTO_MIGRATIONS.sqlite,
        ...ACCESS_MIGRATIONS.sqlite,
        ...IDENTITY_MIGRATIONS.sqlite,
        ...APPROVAL_MIGRATIONS.sqlite,
        ...EXPORTS_MIGRATIONS.sqlite /* , ...your migrations (my_note) */,
      ],
      migrationsRun: true,
    }),
    FileStoreModule.forRoot(new LocalDiskFileStore('./files')), // where export files wait
    AuditModule.forRoot({ signingKey: deriveKey(masterSecret, 'my-app/audit') }),
    CryptoModule.forRoot({
      keyProvider: new LocalKeyProvider(deriveKey(masterSecret, 'my-app/keys'), 'local'),
    }),
    AccessModule.forRoot({}),
    IdentityModule.forRoot({ tokenSigningKey: deriveKey(masterSecret, 'my-app/access-token') }),
    ApprovalsModule.forRoot({}),
    ExportsModule.forRoot({ fileTtlDays: 7 }),
    IdentityHttpModule,
    ExportsHttpModule,
    RouterModule.register([
      { path: 'api/v1', module: IdentityHttpModule },
      { path: 'api/v1', module: ExportsHttpModule },
    ]),
  ],
  providers: [
    NotesExportSource,
    {
      provide: EXPORT_SOURCES,
      useFactory: (notes: NotesExportSource) => [notes],
      inject: [NotesExportSource],
    },
    { provide: ACCESS_DIRECTORY, useExisting: IdentityAccessDirectory },
    { provide: APP_GUARD, useExisting: AuthenticationGuard },
    { provide: APP_GUARD, useExisting: PolicyGuard },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_PIPE, useClass: CustosValidationPipe },
  ],
})
export class MyAppModule {}
