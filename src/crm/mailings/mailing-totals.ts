import type { EntityManager } from 'typeorm';
import type { MailingTotalsDto } from './mailing.dto';
import {
  MailingRecipient,
  SKIP_REASONS,
  type RecipientStatus,
  type SkipReason,
} from './mailing.entity';

/** How many recipients of a mailing are in each status, and the skipped ones per reason. */
export async function recipientTotals(
  manager: EntityManager,
  mailingId: string,
): Promise<MailingTotalsDto> {
  const rows = await manager
    .createQueryBuilder(MailingRecipient, 'mr')
    .select('mr.status', 'status')
    .addSelect('mr.reason', 'reason')
    .addSelect('COUNT(*)', 'count')
    .where('mr.mailingId = :mailingId', { mailingId })
    .groupBy('mr.status')
    .addGroupBy('mr.reason')
    .getRawMany<{ status: RecipientStatus; reason: SkipReason | null; count: string | number }>();
  const totals: MailingTotalsDto = {
    queued: 0,
    sent: 0,
    skipped: 0,
    bounced: 0,
    skippedBy: Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>,
  };
  for (const row of rows) {
    totals[row.status] += Number(row.count);
    if (row.reason) {
      totals.skippedBy[row.reason] += Number(row.count);
    }
  }
  return totals;
}
