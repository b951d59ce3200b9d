import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  ACCESS_DIRECTORY,
  ACCESS_SUBJECTS,
  AccessModule,
  AccessService,
  READABLE_FIELDS,
  RoleService,
  type AccessLevel,
  type RecordAction,
} from '@custos/access';
import { AUDIT_METADATA_REDACTOR, AuditModule } from '@custos/audit';
import { CoreModule, RequestContext, type Actor } from '@custos/core';
import {
  connectionOptionsOf,
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '@custos/core/testing';
import { CryptoModule, KeyRotationModule, LocalKeyProvider } from '@custos/crypto';
import {
  IdentityAccessDirectory,
  IdentityModule,
  InitialAccountService,
  Membership,
  UserService,
} from '@custos/identity';
import { dataSourceOptions } from '../../database/data-source-options';
import { SensitiveDataModule } from '../../sensitive-data/sensitive-data.module';
import { CrmAccessSubjects } from '../records/crm-access-subjects';
import { CrmAuditRedactor } from '../records/crm-audit-redactor';
import { CrmReadableFields } from '../records/crm-readable-fields';
import { RecordsModule } from '../records/records.module';

/**
 * The records core over a real database, without HTTP: the libs it stands on, `RecordsModule`, and
 * an account with a super admin. For service-level integration specs.
 */
export interface RecordsSlice {
  readonly module: TestingModule;
  readonly accountId: string;
  readonly admin: Actor;
  /** Runs `work` as `actor`, as a request would. */
  as<T>(actor: Actor, work: () => Promise<T>): Promise<T>;
  /** An active member of the account holding one role with these record privileges. */
  member(privileges: { action: RecordAction; level: AccessLevel }[]): Promise<Actor>;
  close(): Promise<void>;
}

export async function startRecordsSlice(kind: DatabaseKind): Promise<RecordsSlice> {
  const database: TestDatabase = await createTestDatabase(kind);
  const module = await Test.createTestingModule({
    imports: [
      CoreModule.forRoot({ isGlobal: true, privilegeResolver: AccessService }),
      TypeOrmModule.forRoot(dataSourceOptions(connectionOptionsOf(database))),
      AccessModule.forRoot({}),
      AuditModule.forRoot({ signingKey: randomBytes(32) }),
      IdentityModule.forRoot({ tokenSigningKey: randomBytes(32) }),
      CryptoModule.forRoot({ keyProvider: new LocalKeyProvider(randomBytes(32)) }),
      KeyRotationModule.forRoot({ batchSize: 100 }),
      SensitiveDataModule,
      RecordsModule,
    ],
    providers: [
      { provide: ACCESS_DIRECTORY, useExisting: IdentityAccessDirectory },
      { provide: ACCESS_SUBJECTS, useExisting: CrmAccessSubjects },
      { provide: READABLE_FIELDS, useExisting: CrmReadableFields },
      { provide: AUDIT_METADATA_REDACTOR, useExisting: CrmAuditRedactor },
    ],
  }).compile();
  await module.init();
  const context = module.get(RequestContext);
  const initial = await module
    .get(InitialAccountService)
    .ensure({ email: 'admin@records.test', password: 'a long enough password' });
  const accountId = initial!.accountId;
  const [membership] = await module
    .get(DataSource)
    .manager.findBy(Membership, { accountId, superAdmin: true });
  const admin = actorOf(accountId, membership.userId, true);
  const as = <T>(actor: Actor, work: () => Promise<T>): Promise<T> => context.runAs(actor, work);
  let members = 0;
  return {
    module,
    accountId,
    admin,
    as,
    member: (privileges) =>
      as(admin, async () => {
        members += 1;
        const user = await module.get(UserService).create({
          email: `member${members}@records.test`,
          displayName: `Member ${members}`,
        });
        await module
          .get(DataSource)
          .manager.update(Membership, { accountId, userId: user.id }, { status: 'active' });
        const roles = module.get(RoleService);
        const role = await roles.create({
          name: `Role ${members}`,
          privileges: privileges.map((p) => ({ objectType: 'contacts', ...p })),
          taskPrivileges: [],
        });
        await roles.assign(role.id, { principalType: 'user', principalId: user.id });
        return actorOf(accountId, user.id, false);
      }),
    close: async () => {
      await module.close();
      await database.drop();
    },
  };
}

function actorOf(accountId: string, userId: string, superAdmin: boolean): Actor {
  return { kind: 'user', id: userId, userId, accountId, label: userId, superAdmin };
}
