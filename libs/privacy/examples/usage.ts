import { AUDIT_ENTITIES, AUDIT_MIGRATIONS, AuditModule } from '@custos/audit';
import {
  CORE_MIGRATIONS,
  CoreModule,
  JOB_ENTITIES,
  NOTIFICATION_ENTITIES,
  deriveKey,
} from '@custos/core';
import {
  PERSONAL_DATA_REGISTRY,
  PRIVACY_ASSIGNEES,
  PRIVACY_ENTITIES,
  PRIVACY_MIGRATIONS,
  PrivacyModule,
  type PersonalDataRegistry,
  type PrivacyAssignees,
} from '@custos/privacy';
import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnModuleInit,
} from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

/** Your table of customers declares which columns hold whose personal data. */
@Injectable()
export class CustomerData implements OnModuleInit {
  constructor(@Inject(PERSONAL_DATA_REGISTRY) private readonly registry: PersonalDataRegistry) {}

  onModuleInit(): void {
    this.registry.register({
      key: 'shop.customer',
      owner: 'shop',
      table: 'shop_customer',
      subject: 'contact',
      subjectColumn: 'id',
      description: 'Customers of the shop',
      fields: [
        { column: 'email', category: 'user.contact.email' },
        { column: 'full_name', category: 'user.name' },
        {
          column: 'tax_id',
          category: 'user.government_id',
          sealed: { blindIndex: 'shop_blind_index' },
        },
      ],
    });
  }
}

/** Who may handle requests (in a real app: identity's `PrivilegeHolderAssignees`). */
@Injectable()
export class DpoTeam implements PrivacyAssignees {
  mayHandle(_accountId: string, userId: string): Promise<boolean> {
    return Promise.resolve(userId === 'dpo');
  }
}

@Global()
@Module({
  providers: [CustomerData, DpoTeam, { provide: PRIVACY_ASSIGNEES, useExisting: DpoTeam }],
  exports: [PRIVACY_ASSIGNEES],
})
class ShopPrivacyModule {}

@Module({})
export class ShopAppModule {
  static forRoot(config: { databaseFile: string; masterSecret: Buffer }): DynamicModule {
    return {
      module: ShopAppModule,
      imports: [
        CoreModule.forRoot({ isGlobal: true }),
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: config.databaseFile,
          entities: [
            ...JOB_ENTITIES,
            ...NOTIFICATION_ENTITIES,
            ...AUDIT_ENTITIES,
            ...PRIVACY_ENTITIES,
          ],
          migrations: [
            ...CORE_MIGRATIONS.sqlite,
            ...AUDIT_MIGRATIONS.sqlite,
            ...PRIVACY_MIGRATIONS.sqlite,
          ],
          migrationsRun: true,
        }),
        AuditModule.forRoot({ signingKey: deriveKey(config.masterSecret, 'shop/audit') }),
        PrivacyModule.forRoot({ duplicateWindowDays: 30 }),
        ShopPrivacyModule,
      ],
    };
  }
}
