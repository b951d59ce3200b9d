import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock, TransactionHost, newId } from '@custos/core';
import { PasswordHasher } from '../auth/password-hasher';
import { User } from '../users/user.entity';
import { Account } from './account.entity';
import { AccountService } from './account.service';

export const DEFAULT_ADMIN_EMAIL = 'admin@custos.local';
const INITIAL_ACCOUNT_NAME = 'Demo';
/** Arbitrary constant key of the PostgreSQL advisory lock that serialises first starts. */
const FIRST_START_LOCK = 7_412_318;

/** What the first start created; `generatedPassword` is set only when none was configured. */
export interface InitialAccount {
  accountId: string;
  email: string;
  generatedPassword?: string;
}

/** Creates account "Demo" and its super admin when the database has no account yet. */
@Injectable()
export class InitialAccountService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly accounts: AccountService,
    private readonly passwords: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  async ensure(admin: { email?: string; password?: string }): Promise<InitialAccount | null> {
    const email = (admin.email ?? DEFAULT_ADMIN_EMAIL).trim().toLowerCase();
    const generatedPassword = admin.password ? undefined : randomBytes(18).toString('base64url');
    const passwordHash = await this.passwords.hash(admin.password ?? generatedPassword!);
    return this.transactions.run(async (manager) => {
      if (this.transactions.isPostgres) {
        // Several instances may start at once on a fresh database: one creates, the others see it.
        await manager.query('SELECT pg_advisory_xact_lock($1)', [FIRST_START_LOCK]);
      }
      if (await manager.exists(Account)) {
        return null;
      }
      const now = this.clock.now();
      let user = await manager.findOneBy(User, { email });
      if (!user) {
        user = manager.create(User, {
          id: newId(),
          email,
          displayName: 'Administrator',
          passwordHash,
          createdAt: now,
          updatedAt: now,
        });
        await manager.insert(User, user);
      }
      const account = await this.accounts.createAccount(manager, INITIAL_ACCOUNT_NAME, user);
      return { accountId: account.id, email, generatedPassword };
    });
  }
}
