import { AUDIT_ENTITIES, AUDIT_MIGRATIONS, AuditModule, AuditService } from '@custos/audit';
import { CoreModule, RequestContext, TransactionHost, deriveKey, newId } from '@custos/core';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Column, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

@Entity('example_note')
export class Note {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'text' })
  text!: string;
}

/** Your own table, in your own migration next to the audit log's. */
export class CreateNotes1796500000000 implements MigrationInterface {
  name = 'CreateNotes1796500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "example_note" ("id" varchar(36) PRIMARY KEY, "account_id" varchar(36) NOT NULL, "text" text NOT NULL)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "example_note"`);
  }
}

@Injectable()
export class NotesService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
  ) {}

  /** Saves the note and its audit event in one transaction: both are committed, or neither. */
  create(text: string): Promise<Note> {
    return this.transactions.run(async (manager) => {
      const note = manager.create(Note, {
        id: newId(),
        accountId: this.context.requireAccountId(),
        text,
      });
      await manager.insert(Note, note);
      await this.audit.record({
        action: 'note.created',
        targetType: 'note',
        targetId: note.id,
        metadata: { after: { length: text.length } },
      });
      return note;
    });
  }
}

@Module({})
export class NotesAppModule {
  static forRoot(config: { databaseFile: string; masterSecret: Buffer }): DynamicModule {
    return {
      module: NotesAppModule,
      imports: [
        CoreModule.forRoot({}),
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: config.databaseFile,
          entities: [Note, ...AUDIT_ENTITIES],
          migrations: [...AUDIT_MIGRATIONS.sqlite, CreateNotes1796500000000], // .postgres on PostgreSQL
          migrationsRun: true,
        }),
        AuditModule.forRoot({
          signingKey: deriveKey(config.masterSecret, 'custos/audit-chain-head'),
        }),
      ],
      providers: [NotesService],
    };
  }
}
