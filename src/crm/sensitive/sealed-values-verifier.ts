import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditEvent, AuditService } from '@custos/audit';
import { TransactionHost, systemActor } from '@custos/core';
import { OBJECT_TYPES, objectTypeOf, selectAccountRows } from '../kernel';
import { CustomPropertyDefinition } from '../properties';
import { sensitiveProperties } from './rotation-sources';
import { sealedDigest, type SealedDigests } from './sealed-digests';

/** Rows (records, audit events) read per query: bounded memory per batch. */
const BATCH_SIZE = 1000;
/** Mismatches listed in a result and in its audit event; the count covers all of them. */
const MAX_LISTED = 100;
/** The audit events that carry digests of sealed record values. */
const DIGEST_ACTIONS = ['record.created', 'record.updated', 'record.resealed'];

/**
 * One sensitive value whose sealed form is not the last one audited: `differs` (rolled back to an
 * older envelope, or written past the application), `unaudited` (no audited write of it at all —
 * also the case of values written before digests were recorded, until the next key rotation).
 */
export interface SealedValueMismatch {
  readonly objectType: string;
  readonly recordId: string;
  readonly property: string;
  readonly reason: 'differs' | 'unaudited';
}

/** The outcome of comparing every sealed value of an account with its audited digest. */
export interface SealedValuesVerification {
  readonly valid: boolean;
  readonly valuesChecked: number;
  readonly mismatchCount: number;
  /** The first {@link MAX_LISTED} mismatches, by object type and record id. */
  readonly mismatches: SealedValueMismatch[];
}

function parsed(text: unknown): Record<string, unknown> | null {
  try {
    const value: unknown = typeof text === 'string' ? JSON.parse(text) : text;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Compares each sensitive value stored in a record with the digest of its last audited write
 * (`sealedDigests` of `record.created` / `record.updated`, and of `record.resealed` by key
 * rotation). It trusts the audit log as far as `GET /api/v1/audit-log/verify` finds it intact.
 */
@Injectable()
export class SealedValuesVerifier {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly audit: AuditService,
  ) {}

  /** Verifies the account's sealed values; when any differs, records `sensitive_data.tampering_detected`. */
  async verify(accountId: string): Promise<SealedValuesVerification> {
    const manager = this.transactions.manager;
    const mismatches: SealedValueMismatch[] = [];
    let valuesChecked = 0;
    for (const [objectType, names] of await sensitiveProperties(manager, accountId)) {
      const audited = await this.auditedDigests(manager, accountId, objectType);
      let after = '';
      for (;;) {
        const rows = await selectAccountRows(manager, objectTypeOf(objectType).table, accountId)
          .select('r.id', 'id')
          .addSelect('r.custom', 'custom')
          .andWhere('r.id > :after', { after })
          .orderBy('r.id', 'ASC')
          .limit(BATCH_SIZE)
          .getRawMany<{ id: string; custom: string }>();
        for (const row of rows) {
          const custom = parsed(row.custom);
          for (const property of [...names].sort()) {
            // Text that does not parse as the JSON object audited writes leave differs from all.
            const stored = custom ? custom[property] : row.custom;
            if (stored === undefined || stored === null) {
              continue;
            }
            valuesChecked += 1;
            const expected = audited.get(row.id)?.[property];
            if (expected !== sealedDigest(stored)) {
              // A value where the last audited write cleared it differs too.
              const reason = expected === undefined ? 'unaudited' : 'differs';
              mismatches.push({ objectType, recordId: row.id, property, reason });
            }
          }
        }
        if (rows.length < BATCH_SIZE) {
          break;
        }
        after = rows.at(-1)!.id;
      }
    }
    if (mismatches.length > 0) {
      await this.report(accountId, mismatches);
    }
    return {
      valid: mismatches.length === 0,
      valuesChecked,
      mismatchCount: mismatches.length,
      mismatches: mismatches.slice(0, MAX_LISTED),
    };
  }

  /** Every account with a sensitive property, for the scheduled verification. */
  async accountsWithSensitiveData(): Promise<string[]> {
    const rows = await this.transactions.manager
      .createQueryBuilder(CustomPropertyDefinition, 'property')
      .select('DISTINCT property.accountId', 'accountId')
      .where('property.sensitive = :sensitive', { sensitive: true })
      .getRawMany<{ accountId: string }>();
    return rows.map((row) => row.accountId);
  }

  /** The last audited digest of each sealed value of `objectType`, by record id and property. */
  private async auditedDigests(
    manager: EntityManager,
    accountId: string,
    objectType: string,
  ): Promise<Map<string, SealedDigests>> {
    const digests = new Map<string, SealedDigests>();
    const merge = (recordId: string, written: unknown) => {
      const part = parsed(written);
      if (part) {
        digests.set(recordId, { ...digests.get(recordId), ...(part as SealedDigests) });
      }
    };
    let afterSeq = 0;
    for (;;) {
      const events = await manager
        .createQueryBuilder(AuditEvent, 'event')
        .select('event.seq', 'seq')
        .addSelect('event.action', 'action')
        .addSelect('event.targetId', 'targetId')
        .addSelect('event.metadata', 'metadata')
        .where('event.accountId = :accountId', { accountId })
        .andWhere('event.targetType = :objectType', { objectType })
        .andWhere('event.action IN (:...actions)', { actions: DIGEST_ACTIONS })
        .andWhere('event.seq > :afterSeq', { afterSeq })
        .orderBy('event.seq', 'ASC')
        .limit(BATCH_SIZE)
        .getRawMany<{
          seq: string | number;
          action: string;
          targetId: string | null;
          metadata: string;
        }>();
      for (const event of events) {
        const written = parsed(event.metadata)?.sealedDigests;
        if (event.action === 'record.resealed') {
          for (const [recordId, resealed] of Object.entries(parsed(written) ?? {})) {
            merge(recordId, resealed);
          }
        } else if (event.targetId !== null) {
          merge(event.targetId, written);
        }
      }
      if (events.length < BATCH_SIZE) {
        return digests;
      }
      afterSeq = Number(events.at(-1)!.seq);
    }
  }

  /**
   * One audit event per object type, listing the mismatches (record ids and property names, no
   * values): readers who may not see a property lose the entries naming it.
   */
  private async report(
    accountId: string,
    mismatches: readonly SealedValueMismatch[],
  ): Promise<void> {
    for (const objectType of Object.keys(OBJECT_TYPES)) {
      const found = mismatches.filter((mismatch) => mismatch.objectType === objectType);
      if (found.length === 0) {
        continue;
      }
      const listed = found.slice(0, MAX_LISTED);
      await this.audit.record({
        accountId,
        actor: systemActor(accountId),
        action: 'sensitive_data.tampering_detected',
        targetType: objectType,
        metadata: {
          count: found.length,
          recordIds: [...new Set(listed.map((mismatch) => mismatch.recordId))],
          mismatches: listed.map(({ recordId, property, reason }) => ({
            recordId,
            property,
            reason,
          })),
        },
      });
    }
  }
}
