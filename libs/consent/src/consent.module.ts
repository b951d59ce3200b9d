import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import './consent.privileges';
import { Blacklist } from './blacklist/blacklist';
import { Bounces } from './bounces/bounces';
import { HostContacts } from './consent-contacts';
import { CONSENT_ENTITIES } from './consent.entities';
import { ConsentConfigurableModule } from './consent.module-definition';
import { ConsentLedger } from './events/consent-ledger';
import { ConsentRecorder } from './events/consent-recorder';
import { ConsentGate } from './gate/consent-gate';
import { ConsentPurposes } from './purposes/consent-purposes';
import { ConsentTokens } from './tokens/consent-tokens';

/**
 * Consent per purpose and channel. Needs `CoreModule` and `MailModule` (the outbox), `AuditModule`, the entities
 * and migrations in the DataSource, and the host's `CONSENT_CONTACTS`. Mounts no routes: import
 * {@link ConsentHttpModule}.
 */
@Module({
  imports: [TypeOrmModule.forFeature(CONSENT_ENTITIES)],
  providers: [
    ConsentTokens,
    ConsentLedger,
    ConsentPurposes,
    Blacklist,
    Bounces,
    ConsentGate,
    HostContacts,
    ConsentRecorder,
  ],
  exports: [ConsentPurposes, ConsentLedger, ConsentRecorder, ConsentGate, Blacklist, Bounces],
})
export class ConsentModule extends ConsentConfigurableModule {}
