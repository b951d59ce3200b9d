import { ConsentLedger } from '@custos/consent';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ErasureRules } from './erasure-rules';
import type { ContactErasure, SourceEraser } from './erasure.ports';

/**
 * Consent events are hash-chained: deleting one would break the chain. Each keeps the digest of
 * its personal part in the chain, so erasure drops the part (`ConsentLedger.eraseContact`) and the
 * chain still verifies.
 */
@Injectable()
export class ConsentEventEraser implements SourceEraser, OnModuleInit {
  readonly source = 'consent.event';

  constructor(
    private readonly rules: ErasureRules,
    private readonly ledger: ConsentLedger,
  ) {}

  onModuleInit(): void {
    this.rules.addEraser(this);
  }

  eraseContact(_manager: unknown, target: ContactErasure): Promise<number> {
    return this.ledger.eraseContact(target.accountId, target.contactId);
  }
}
