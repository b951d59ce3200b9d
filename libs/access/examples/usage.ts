import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import {
  accessibleBy,
  createAccessAbility,
  prepareCondition,
  validateCondition,
  type ActorFacts,
  type Condition,
} from '@custos/access';

/** Your own entity. */
@Entity('invoice')
export class Invoice {
  @PrimaryColumn({ type: 'varchar' }) id!: string;
  @Column({ name: 'owner_id', type: 'varchar' }) ownerId!: string;
  @Column({ type: 'varchar' }) region!: string;
  @Column({ type: 'double precision' }) amount!: number;
}

/** A record rule as an administrator saves it: validated against the fields it may test. */
const rule: Condition = {
  $or: [{ ownerId: '$user.id' }, { region: 'EMEA', amount: { $lt: 10_000 } }],
};
validateCondition(rule, { ownerId: 'string', region: 'string', amount: 'number' });

/** The invoices `actor` may read, filtered by the database — never loaded and filtered in memory. */
export async function readableInvoices(
  dataSource: DataSource,
  actor: ActorFacts,
): Promise<Invoice[]> {
  const ability = createAccessAbility([
    { action: 'read', subject: 'Invoice', conditions: prepareCondition(rule, actor) },
  ]);
  const where = accessibleBy(ability, 'read', 'Invoice', {
    columnOf: (field) =>
      ({ ownerId: 'invoice.owner_id', region: 'invoice.region', amount: 'invoice.amount' })[field],
    postgres: dataSource.options.type === 'postgres',
  });
  return dataSource
    .getRepository(Invoice)
    .createQueryBuilder('invoice')
    .where(where.sql, where.parameters)
    .orderBy('invoice.id')
    .getMany();
}
