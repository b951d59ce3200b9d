import { AUDIT_ENTITIES, AUDIT_MIGRATIONS, AuditModule } from '@custos/audit';
import {
  CONSENT_CONTACTS,
  CONSENT_ENTITIES,
  CONSENT_MIGRATIONS,
  ConsentGate,
  ConsentModule,
  type ConsentChannel,
  type ConsentContacts,
} from '@custos/consent';
import {
  CORE_MIGRATIONS,
  CoreModule,
  CustosError,
  JOB_ENTITIES,
  MAIL_ENTITIES,
  MailModule,
  NOTIFICATION_ENTITIES,
  deriveKey,
} from '@custos/core';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

/** Your contacts, as the consent lib needs them (here a map; in a CRM, its scoped record query). */
@Injectable()
export class Subscribers implements ConsentContacts {
  readonly emails = new Map<string, string>();

  requireReadable(contactId: string): Promise<void> {
    return this.emails.has(contactId)
      ? Promise.resolve()
      : Promise.reject(CustosError.notFound('example.no_contact', 'The contact'));
  }

  addressOf(
    _accountId: string,
    contactId: string,
    channel: ConsentChannel,
  ): Promise<string | null> {
    return Promise.resolve(channel === 'email' ? (this.emails.get(contactId) ?? null) : null);
  }
}

/** What a mailing asks before each message: may it go, and with which headers. */
@Injectable()
export class NewsletterSender {
  constructor(private readonly gate: ConsentGate) {}

  async prepare(accountId: string, contactId: string, purposeId: string, to: string) {
    const decision = await this.gate.mayContact({
      accountId,
      contactId,
      purposeId,
      channel: 'email',
      address: to,
    });
    if (!decision.allowed) {
      return { send: false as const, reason: decision.reason };
    }
    const url = this.gate.unsubscribeUrl(accountId, contactId, purposeId, 'email');
    return {
      send: true as const,
      headers: this.gate.unsubscribeHeaders(url),
      envelopeFrom: this.gate.returnPath(accountId, to),
    };
  }
}

@Module({
  providers: [Subscribers, { provide: CONSENT_CONTACTS, useExisting: Subscribers }],
  exports: [Subscribers, CONSENT_CONTACTS],
})
class SubscribersModule {}

@Module({})
export class NewsletterAppModule {
  static forRoot(config: { databaseFile: string; masterSecret: Buffer }): DynamicModule {
    return {
      module: NewsletterAppModule,
      imports: [
        CoreModule.forRoot({ isGlobal: true }),
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: config.databaseFile,
          entities: [
            ...JOB_ENTITIES,
            ...NOTIFICATION_ENTITIES,
            ...MAIL_ENTITIES,
            ...AUDIT_ENTITIES,
            ...CONSENT_ENTITIES,
          ],
          migrations: [
            ...CORE_MIGRATIONS.sqlite,
            ...AUDIT_MIGRATIONS.sqlite,
            ...CONSENT_MIGRATIONS.sqlite,
          ],
          migrationsRun: true,
        }),
        MailModule.forRoot({ from: 'news@example.com', registerController: false }),
        AuditModule.forRoot({ signingKey: deriveKey(config.masterSecret, 'my-app/audit') }),
        ConsentModule.forRoot({
          secret: deriveKey(config.masterSecret, 'my-app/consent'),
          publicUrl: 'https://news.example.com/api/v1',
        }),
        SubscribersModule,
      ],
      providers: [NewsletterSender],
    };
  }
}
