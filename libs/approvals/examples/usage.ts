import {
  APPROVAL_ENTITIES,
  APPROVAL_MIGRATIONS,
  Approvals,
  ApprovalsModule,
  type ApprovalKind,
  type ApprovalView,
} from '@custos/approvals';
import { AUDIT_ENTITIES, AUDIT_MIGRATIONS, AuditModule } from '@custos/audit';
import {
  CORE_MIGRATIONS,
  CoreModule,
  JOB_ENTITIES,
  NOTIFICATION_ENTITIES,
  RequestContext,
  TransactionHost,
  deriveKey,
  type Actor,
} from '@custos/core';
import { Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Column, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

@Entity('example_publication')
export class Publication {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: 'awaiting' | 'published' | 'withdrawn';
}

/** Your own table, in your own migration next to the libs'. */
export class CreatePublications1796500000000 implements MigrationInterface {
  name = 'CreatePublications1796500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "example_publication" ("id" varchar(36) PRIMARY KEY, "account_id" varchar(36) NOT NULL, "status" varchar(16) NOT NULL)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "example_publication"`);
  }
}

/** Publishing a document needs an editor's approval. */
@Injectable()
export class PublicationApprovals implements ApprovalKind, OnModuleInit {
  readonly name = 'publication';

  constructor(
    private readonly approvals: Approvals,
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
  ) {}

  onModuleInit(): void {
    this.approvals.register(this);
  }

  /** Who may decide: your own rule (here, a fixed list of editors). */
  async approvers(): Promise<string[]> {
    return ['eve', 'ed'];
  }

  async mayDecide(actor: Actor): Promise<boolean> {
    return actor.userId !== null && (await this.approvers()).includes(actor.userId);
  }

  /** Runs once, in the transaction that approved, rejected, revoked or expired the request. */
  async settled(request: ApprovalView): Promise<void> {
    await this.transactions.manager.update(
      Publication,
      { accountId: request.accountId, id: request.subjectId },
      { status: request.state === 'approved' ? 'published' : 'withdrawn' },
    );
  }

  /** The publication and its approval request are written together, or neither is. */
  ask(documentId: string, editors: string[]): Promise<ApprovalView> {
    return this.transactions.run(async (manager) => {
      const accountId = this.context.requireAccountId();
      await manager.insert(Publication, { id: documentId, accountId, status: 'awaiting' });
      return this.approvals.request({
        kind: this.name,
        subjectId: documentId,
        notify: editors,
        message: 'Ready for the newsletter',
        expiresAt: new Date(Date.now() + 7 * 86_400_000),
      });
    });
  }
}

@Module({})
export class PublishingAppModule {
  static forRoot(config: { databaseFile: string; masterSecret: Buffer }): DynamicModule {
    return {
      module: PublishingAppModule,
      imports: [
        CoreModule.forRoot({}),
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: config.databaseFile,
          entities: [
            Publication,
            ...NOTIFICATION_ENTITIES,
            ...JOB_ENTITIES,
            ...AUDIT_ENTITIES,
            ...APPROVAL_ENTITIES,
          ],
          // .postgres on PostgreSQL
          migrations: [
            ...CORE_MIGRATIONS.sqlite,
            ...AUDIT_MIGRATIONS.sqlite,
            ...APPROVAL_MIGRATIONS.sqlite,
            CreatePublications1796500000000,
          ],
          migrationsRun: true,
        }),
        AuditModule.forRoot({
          signingKey: deriveKey(config.masterSecret, 'custos/audit-chain-head'),
        }),
        ApprovalsModule.forRoot(),
      ],
      providers: [PublicationApprovals],
    };
  }
}
