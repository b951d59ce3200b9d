import { createHash } from 'node:crypto';
import { AuditService } from '@custos/audit';
import { Clock, RequestContext, TransactionHost, isUniqueViolation, newId } from '@custos/core';
import { Injectable } from '@nestjs/common';
import {
  CONSENT_CHANNELS,
  LEGAL_BASES,
  type ConsentChannel,
  type LegalBasis,
} from '../consent.types';
import { ConsentErrors } from '../consent.errors';
import { ConsentNotice } from './consent-notice.entity';
import { ConsentPurpose } from './consent-purpose.entity';

const KEY = /^[a-z][a-z0-9_]{0,63}$/;

/** What a purpose is created with. */
export interface PurposeInput {
  key: string;
  name: string;
  description?: string | null;
  legalBasis: LegalBasis;
  channels: ConsentChannel[];
  doubleOptIn?: boolean;
  /** The first notice text (version 1). */
  notice: string;
}

/** A purpose with its latest notice version. */
export interface PurposeView {
  id: string;
  key: string;
  name: string;
  description: string | null;
  legalBasis: LegalBasis;
  channels: ConsentChannel[];
  doubleOptIn: boolean;
  currentNoticeVersion: number;
  createdAt: Date;
}

export interface NoticeView {
  version: number;
  text: string;
  sha256: string;
  createdAt: Date;
}

function noticeView(notice: ConsentNotice): NoticeView {
  return {
    version: notice.version,
    text: notice.text,
    sha256: notice.sha256,
    createdAt: notice.createdAt,
  };
}

function checkText(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) {
    throw ConsentErrors.invalidField(
      field,
      `must be a non-empty text of at most ${max} characters`,
    );
  }
  return value;
}

/**
 * Purposes of processing and their notice texts. A text is never changed: a new text is a new
 * version, with the SHA-256 of its UTF-8 bytes kept beside it. Changes are audited.
 */
@Injectable()
export class ConsentPurposes {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async create(input: PurposeInput): Promise<PurposeView> {
    if (typeof input.key !== 'string' || !KEY.test(input.key)) {
      throw ConsentErrors.invalidField('key', 'must be snake_case: a-z, 0-9 and _, at most 64');
    }
    checkText(input.name, 'name', 200);
    if (input.description !== undefined && input.description !== null) {
      checkText(input.description, 'description', 2000);
    }
    if (!LEGAL_BASES.includes(input.legalBasis)) {
      throw ConsentErrors.invalidField('legalBasis', `must be one of ${LEGAL_BASES.join(', ')}`);
    }
    const channels = [...new Set(input.channels ?? [])];
    if (channels.length === 0 || channels.some((c) => !CONSENT_CHANNELS.includes(c))) {
      throw ConsentErrors.invalidField(
        'channels',
        `must list at least one of ${CONSENT_CHANNELS.join(', ')}`,
      );
    }
    checkText(input.notice, 'notice', 20_000);
    const accountId = this.context.requireAccountId();
    const now = this.clock.now();
    const purpose = Object.assign(new ConsentPurpose(), {
      id: newId(),
      accountId,
      key: input.key,
      name: input.name,
      description: input.description ?? null,
      legalBasis: input.legalBasis,
      channels,
      doubleOptIn: input.doubleOptIn ?? false,
      createdAt: now,
    });
    return this.transactions.run(async (manager) => {
      try {
        await manager.insert(ConsentPurpose, purpose);
      } catch (error) {
        throw isUniqueViolation(error) ? ConsentErrors.duplicatePurpose() : error;
      }
      await manager.insert(ConsentNotice, this.notice(purpose, 1, input.notice, now));
      await this.audit.record({
        action: 'consent.purpose_created',
        targetType: 'consent_purpose',
        targetId: purpose.id,
        metadata: { key: purpose.key, legalBasis: purpose.legalBasis, channels },
      });
      return { ...this.view(purpose), currentNoticeVersion: 1 };
    });
  }

  async list(): Promise<PurposeView[]> {
    const accountId = this.context.requireAccountId();
    const purposes = await this.transactions.manager.find(ConsentPurpose, {
      where: { accountId },
      order: { key: 'ASC' },
    });
    const versions = await this.latestVersions(accountId);
    return purposes.map((p) => ({
      ...this.view(p),
      currentNoticeVersion: versions.get(p.id) ?? 0,
    }));
  }

  async get(id: string): Promise<PurposeView> {
    const purpose = await this.require(this.context.requireAccountId(), id);
    const [latest] = await this.transactions.manager.find(ConsentNotice, {
      where: { purposeId: purpose.id },
      order: { version: 'DESC' },
      take: 1,
    });
    return { ...this.view(purpose), currentNoticeVersion: latest?.version ?? 0 };
  }

  /** The purpose of the account, or a 404. */
  async require(accountId: string, id: string): Promise<ConsentPurpose> {
    const purpose = await this.transactions.manager.findOneBy(ConsentPurpose, { accountId, id });
    if (!purpose) {
      throw ConsentErrors.purposeNotFound();
    }
    return purpose;
  }

  /** The purpose of the account with this id, or `null`. */
  byId(accountId: string, id: string): Promise<ConsentPurpose | null> {
    return this.transactions.manager.findOneBy(ConsentPurpose, { accountId, id });
  }

  /** The purpose of the account with this key, or `null`. */
  byKey(accountId: string, key: string): Promise<ConsentPurpose | null> {
    return this.transactions.manager.findOneBy(ConsentPurpose, { accountId, key });
  }

  /** Every purpose of the account, oldest first (preference pages). */
  all(accountId: string): Promise<ConsentPurpose[]> {
    return this.transactions.manager.find(ConsentPurpose, {
      where: { accountId },
      order: { key: 'ASC' },
    });
  }

  /** Adds the next version of the purpose's notice text. */
  async addNotice(purposeId: string, text: string): Promise<NoticeView> {
    checkText(text, 'text', 20_000);
    const accountId = this.context.requireAccountId();
    return this.transactions.run(async (manager) => {
      // The purpose's row lock orders concurrent versions (SQLite transactions are serialised).
      const purpose = await manager.findOne(ConsentPurpose, {
        where: { accountId, id: purposeId },
        ...(this.transactions.isPostgres ? { lock: { mode: 'pessimistic_write' as const } } : {}),
      });
      if (!purpose) {
        throw ConsentErrors.purposeNotFound();
      }
      const latest = await this.latestNotice(purposeId);
      const notice = this.notice(purpose, latest + 1, text, this.clock.now());
      await manager.insert(ConsentNotice, notice);
      await this.audit.record({
        action: 'consent.notice_added',
        targetType: 'consent_purpose',
        targetId: purpose.id,
        metadata: { version: notice.version, sha256: notice.sha256 },
      });
      return noticeView(notice);
    });
  }

  async notices(purposeId: string): Promise<NoticeView[]> {
    const purpose = await this.require(this.context.requireAccountId(), purposeId);
    const notices = await this.transactions.manager.find(ConsentNotice, {
      where: { purposeId: purpose.id },
      order: { version: 'ASC' },
    });
    return notices.map(noticeView);
  }

  /** Whether `version` is a notice version of the purpose. */
  async hasNotice(purposeId: string, version: number): Promise<boolean> {
    return (await this.transactions.manager.countBy(ConsentNotice, { purposeId, version })) > 0;
  }

  /** The purpose's latest notice version (0 when it has none). */
  async latestNotice(purposeId: string): Promise<number> {
    const [latest] = await this.transactions.manager.find(ConsentNotice, {
      where: { purposeId },
      order: { version: 'DESC' },
      take: 1,
    });
    return latest?.version ?? 0;
  }

  private async latestVersions(accountId: string): Promise<Map<string, number>> {
    const rows = await this.transactions.manager
      .createQueryBuilder(ConsentNotice, 'n')
      .select('n.purpose_id', 'purposeId')
      .addSelect('MAX(n.version)', 'version')
      .where('n.account_id = :accountId', { accountId })
      .groupBy('n.purpose_id')
      .getRawMany<{ purposeId: string; version: number | string }>();
    return new Map(rows.map((r) => [r.purposeId, Number(r.version)]));
  }

  private notice(purpose: ConsentPurpose, version: number, text: string, at: Date): ConsentNotice {
    return Object.assign(new ConsentNotice(), {
      id: newId(),
      accountId: purpose.accountId,
      purposeId: purpose.id,
      version,
      text,
      sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
      createdAt: at,
    });
  }

  private view(p: ConsentPurpose): Omit<PurposeView, 'currentNoticeVersion'> {
    return {
      id: p.id,
      key: p.key,
      name: p.name,
      description: p.description,
      legalBasis: p.legalBasis,
      channels: p.channels,
      doubleOptIn: p.doubleOptIn,
      createdAt: p.createdAt,
    };
  }
}
