import type { DataSource } from 'typeorm';
import { toAuditEventDto, type AuditEventDto } from '../audit-event.dto';
import { AuditEvent } from '../audit-event.entity';

/**
 * Every audit event of an account in chain order, read straight from the table (no paging, no
 * filters): for assertions in tests of code that records events.
 */
export async function readAuditEvents(
  dataSource: DataSource,
  accountId: string,
): Promise<AuditEventDto[]> {
  const events = await dataSource
    .getRepository(AuditEvent)
    .find({ where: { accountId }, order: { seq: 'ASC' } });
  return events.map(toAuditEventDto);
}

/** The actions an account's audit log holds, oldest first: `['user.added', 'team.created']`. */
export async function readAuditActions(
  dataSource: DataSource,
  accountId: string,
): Promise<string[]> {
  return (await readAuditEvents(dataSource, accountId)).map((event) => event.action);
}
