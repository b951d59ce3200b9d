import { Injectable } from '@nestjs/common';
import { KeyRing } from '../keys/key-ring';
import { SubjectKeys } from '../subjects/subject-keys';
import { AccountCipher } from './account-cipher';
import { OpeningWorkers } from './opening-workers';

/** Builds {@link AccountCipher}s from the key ring: one query for the account's key versions, unwrapping cached. */
@Injectable()
export class AccountCiphers {
  constructor(
    private readonly keyRing: KeyRing,
    private readonly subjectKeys: SubjectKeys,
    private readonly openers: OpeningWorkers,
  ) {}

  /** The cipher of an account, its keys created on first use. Read per request: rotation elsewhere shows at once. */
  async forAccount(accountId: string): Promise<AccountCipher> {
    const { active, keys, indexKey } = await this.keyRing.accountKeys(accountId);
    return new AccountCipher(accountId, active, keys, indexKey, this.subjectKeys, this.openers);
  }
}
