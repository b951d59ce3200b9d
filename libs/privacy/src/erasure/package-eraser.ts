import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { FileStore, TransactionHost } from '@custos/core';
import { SubjectKeys } from '@custos/crypto';
import { packageFileHolder } from '../packages/package-files';
import { PrivacyPackage } from '../packages/privacy-package.entity';
import { ErasureRules } from './erasure-rules';
import type { ContactErasure, SourceEraser, ValueErasure } from './erasure.ports';

/**
 * Access and portability packages of the subject: found by their contact, or — for a request
 * that named no contact — by the email or phone of the request they were built for. Each one's
 * file key is destroyed (every copy of the sealed ZIP, in the store or a copy of it, stops
 * opening), its file deleted and its row deleted, in the erasing transaction; idempotent.
 */
@Injectable()
export class PackageEraser implements SourceEraser, OnModuleInit {
  readonly source = 'privacy.package';

  constructor(
    private readonly rules: ErasureRules,
    private readonly transactions: TransactionHost,
    private readonly keys: SubjectKeys,
    private readonly files: FileStore,
  ) {}

  onModuleInit(): void {
    this.rules.addEraser(this);
  }

  async eraseContact(manager: EntityManager, target: ContactErasure): Promise<number> {
    const found = await manager.find(PrivacyPackage, {
      select: { id: true, fileKey: true },
      where: { accountId: target.accountId, subjectContactId: target.contactId },
    });
    return this.erase(manager, target.accountId, found);
  }

  async eraseValues(manager: EntityManager, target: ValueErasure): Promise<number> {
    const values = [...target.emails, ...target.phones];
    if (values.length === 0) {
      return 0;
    }
    const list = (first: number) => values.map((_, i) => `$${first + i}`).join(', ');
    const sql = `SELECT p.id AS id, p.file_key AS "fileKey" FROM privacy_package p JOIN privacy_request r ON r.account_id = p.account_id AND r.id = p.request_id WHERE p.account_id = $1 AND (LOWER(r.subject_email) IN (${list(2)}) OR r.subject_phone IN (${list(2 + values.length)}))`;
    const found = await manager.query<Pick<PrivacyPackage, 'id' | 'fileKey'>[]>(
      this.transactions.isPostgres ? sql : sql.replace(/\$\d+/g, '?'),
      [target.accountId, ...values, ...values],
    );
    return this.erase(manager, target.accountId, found);
  }

  private async erase(
    manager: EntityManager,
    accountId: string,
    packages: Pick<PrivacyPackage, 'id' | 'fileKey'>[],
  ): Promise<number> {
    for (const pkg of packages) {
      const holder = packageFileHolder(pkg.id);
      await this.keys.destroy(accountId, holder.kind, holder.id, manager);
      // Deleted before the commit: a crash after leaves a row naming no file, which the rerun deletes.
      if (pkg.fileKey) {
        await this.files.delete(pkg.fileKey);
      }
      await manager.delete(PrivacyPackage, { accountId, id: pkg.id });
    }
    return packages.length;
  }
}
