import { CanActivate, Controller, ExecutionContext, Get, Injectable, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, RouterModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Request } from 'express';
import {
  Column,
  DataSource,
  Entity,
  PrimaryColumn,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';
import {
  ACCESS_DIRECTORY,
  ACCESS_ENTITIES,
  ACCESS_MIGRATIONS,
  ACCESS_SUBJECTS,
  AccessHttpModule,
  AccessModule,
  AccessService,
  accessibleBy,
  type AccessDirectory,
  type AccessSubjects,
} from '@custos/access';
import { AUDIT_ENTITIES, AUDIT_MIGRATIONS, AuditModule } from '@custos/audit';
import {
  Authenticated,
  CoreModule,
  CustosValidationPipe,
  PolicyGuard,
  ProblemDetailsFilter,
  RequestContext,
} from '@custos/core';

/** Your own entity: access levels test `ownerId` (and `businessUnitId` if you have one). */
@Entity('invoice')
export class Invoice {
  @PrimaryColumn({ type: 'varchar' }) id!: string;
  @Column({ name: 'owner_id', type: 'varchar' }) ownerId!: string;
  @Column({ type: 'varchar' }) region!: string;
  @Column({ type: 'double precision' }) amount!: number;
}

/** Your own table, in your own migration next to the libs'. */
class CreateInvoices1796500000000 implements MigrationInterface {
  name = 'CreateInvoices1796500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "invoice" ("id" varchar PRIMARY KEY, "owner_id" varchar NOT NULL, "region" varchar NOT NULL, "amount" double precision NOT NULL)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "invoice"`);
  }
}

/** Who is in which team and business unit — here a fixed list; with @custos/identity, IdentityAccessDirectory. */
@Injectable()
class Directory implements AccessDirectory {
  private readonly teams: Record<string, string[]> = { ann: ['sales'], bob: ['sales'], eve: [] };
  async member(_accountId: string, userId: string) {
    const teamIds = this.teams[userId] ?? [];
    const mates = Object.keys(this.teams).filter((u) =>
      this.teams[u].some((t) => teamIds.includes(t)),
    );
    return {
      superAdmin: userId === 'boss',
      facts: {
        id: userId,
        teamIds,
        teamMemberIds: [userId, ...mates],
        businessUnitIds: [],
        businessUnitTreeIds: [],
      },
    };
  }
  async members(accountId: string) {
    return Promise.all(Object.keys(this.teams).map((u) => this.member(accountId, u)));
  }
  async exists(_accountId: string, type: 'user' | 'team', id: string) {
    return type === 'user' ? id in this.teams : id === 'sales';
  }
  async teamMembers(_accountId: string, teamId: string) {
    return Object.keys(this.teams).filter((u) => this.teams[u].includes(teamId));
  }
}

/** Which subjects record rules and field permissions may name. */
@Injectable()
class Subjects implements AccessSubjects {
  subjectTypes() {
    return ['invoices'];
  }
  async fields() {
    return { region: 'string', amount: 'number' } as const;
  }
  async record() {
    return null;
  }
}

/** Stand-in for your authentication: binds the actor of the request. */
@Injectable()
class DemoAuthGuard implements CanActivate {
  constructor(private readonly context: RequestContext) {}
  canActivate(execution: ExecutionContext): boolean {
    const user = execution.switchToHttp().getRequest<Request>().header('x-demo-user');
    if (user) {
      this.context.setActor({
        kind: 'user',
        id: user,
        userId: user,
        accountId: 'acme',
        label: user,
        superAdmin: user === 'boss',
      });
    }
    return true;
  }
}

@Controller('invoices')
class InvoicesController {
  constructor(
    private readonly access: AccessService,
    private readonly context: RequestContext,
    private readonly dataSource: DataSource,
  ) {}

  /** Only the invoices the caller's roles and rules allow — filtered by the database. */
  @Get()
  @Authenticated()
  async list(): Promise<Invoice[]> {
    const { ability } = await this.access.accessFor(this.context.requireActor());
    const where = accessibleBy(ability, 'read', 'invoices', {
      columnOf: (field) =>
        ({ ownerId: 'invoice.owner_id', region: 'invoice.region', amount: 'invoice.amount' })[
          field
        ],
      postgres: this.dataSource.options.type === 'postgres',
    });
    return this.dataSource
      .getRepository(Invoice)
      .createQueryBuilder('invoice')
      .where(where.sql, where.parameters)
      .orderBy('invoice.id')
      .getMany();
  }
}

@Module({
  imports: [
    CoreModule.forRoot({ isGlobal: true, privilegeResolver: AccessService }), // roles decide @RequirePrivilege routes
    TypeOrmModule.forRoot({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [Invoice, ...ACCESS_ENTITIES, ...AUDIT_ENTITIES],
      migrations: [
        ...AUDIT_MIGRATIONS.sqlite,
        ...ACCESS_MIGRATIONS.sqlite,
        CreateInvoices1796500000000,
      ],
      migrationsRun: true,
    }),
    AuditModule.forRoot({ signingKey: Buffer.alloc(32, 7) }), // role changes are audited
    AccessModule.forRoot({}),
    AccessHttpModule, // the REST API (opt-in: /api/v1/roles, /api/v1/record-rules, …)
    RouterModule.register([{ path: 'api/v1', module: AccessHttpModule }]),
  ],
  controllers: [InvoicesController],
  providers: [
    Directory,
    Subjects,
    { provide: ACCESS_DIRECTORY, useExisting: Directory },
    { provide: ACCESS_SUBJECTS, useExisting: Subjects },
    { provide: APP_GUARD, useClass: DemoAuthGuard },
    { provide: APP_GUARD, useExisting: PolicyGuard },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_PIPE, useClass: CustosValidationPipe },
  ],
})
export class InvoicesAppModule {}
