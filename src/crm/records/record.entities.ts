import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';
import { OBJECT_TYPES, type ObjectType } from '../kernel';

/**
 * Columns every CRM record has. Standard properties are real columns of the object type's table
 * (indexable, typed); custom properties live in `custom`, a JSON object as text.
 * These classes describe the schema for migrations; records are read and written as raw rows.
 */
abstract class RecordColumns {
  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ name: 'owner_id', type: 'varchar', length: 36, nullable: true })
  ownerId!: string | null;

  /** The owner's business unit when the owner was set: what business-unit access levels scope by. */
  @Column({ name: 'business_unit_id', type: 'varchar', length: 36, nullable: true })
  businessUnitId!: string | null;

  @Column({ type: 'text', default: '{}' })
  custom!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;

  @TimestampColumn({ name: 'archived_at', nullable: true })
  archivedAt!: Date | null;
}

/**
 * Lists, searches and counts read live records only (`RecordQuery.scoped`), so their indexes
 * leave archived rows out: smaller, and a count is answered from the index alone. Archived
 * records have one index of their own (archived lists, the purge job). Scope indexes end with the
 * creation date, the default sort of restricted lists. The predicate is spelled as the scoped
 * query spells it, so that both planners match it. Each live index also holds `archived_at`
 * (always NULL there, one byte): SQLite does not count a partial index's own condition as covered,
 * and without the column would read every counted row from the table. The scope indexes also
 * carry the columns record rules and filters test most (`ObjectType.scopeCarried`: country,
 * stage…), so that a restricted count with such a rule or filter is answered from the index too.
 */
export const LIVE_ROWS = '"archived_at" IS NULL';
const LIVE = LIVE_ROWS;
const ARCHIVED = '"archived_at" IS NOT NULL';

/**
 * The owner scope, then the carried columns, then `id`: a team or own-level reader's filter on a
 * carried column (`country = 'DE'`) seeks scope and value together and counts from the index
 * alone, where the `…_owner_created_idx` reads every entry of the scope. Not for business units:
 * on SQLite such an index made the planner sort a super admin's filtered page (its statistics
 * changed the estimate for `country = ?`), and unit-scoped readers keep their created index.
 */
function OwnerFilterIndex(objectType: ObjectType): ClassDecorator {
  return Index(
    `${objectType.table}_live_owner_filters_idx`,
    ['accountId', 'ownerId', ...objectType.scopeCarried, 'id', 'archivedAt'],
    { where: LIVE },
  );
}

const STRING = { type: 'varchar', length: 255, nullable: true } as const;
const NUMBER = { type: 'double precision', nullable: true } as const;
const DATE = { type: 'varchar', length: 10, nullable: true } as const;
const ENUMERATION = { type: 'varchar', length: 100, nullable: true } as const;

@Entity('crm_contact')
// The privacy lookup's probes (live and archived rows): partial on the value, so that planners
// never take them for scans of a whole account (counts and pages use the live-row indexes).
@Index('crm_contact_email_idx', ['accountId', 'email'], { where: '"email" IS NOT NULL' })
@Index('crm_contact_lastname_idx', ['accountId', 'lastname'], { where: '"lastname" IS NOT NULL' })
@Index('crm_contact_phone_idx', ['accountId', 'phone'], { where: '"phone" IS NOT NULL' })
// On the phone's key (an expression: migration 1797900000000), kept out of schema sync.
@Index('crm_contact_phone_key_idx', { synchronize: false })
@Index('crm_contact_live_id_idx', ['accountId', 'id', 'archivedAt'], { where: LIVE })
@Index('crm_contact_archived_id_idx', ['accountId', 'id'], { where: ARCHIVED })
@Index('crm_contact_live_email_idx', ['accountId', 'email', 'archivedAt'], { where: LIVE })
@Index('crm_contact_live_lastname_idx', ['accountId', 'lastname', 'id', 'archivedAt'], {
  where: LIVE,
})
@Index(
  'crm_contact_live_country_lastname_idx',
  ['accountId', 'country', 'lastname', 'id', 'archivedAt'],
  {
    where: LIVE,
  },
)
@Index('crm_contact_live_lifecyclestage_idx', ['accountId', 'lifecyclestage', 'id', 'archivedAt'], {
  where: LIVE,
})
@Index(
  'crm_contact_live_owner_created_idx',
  ['accountId', 'ownerId', 'createdAt', 'id', 'archivedAt', ...OBJECT_TYPES.contacts.scopeCarried],
  {
    where: LIVE,
  },
)
@Index(
  'crm_contact_live_business_unit_created_idx',
  [
    'accountId',
    'businessUnitId',
    'createdAt',
    'id',
    'archivedAt',
    ...OBJECT_TYPES.contacts.scopeCarried,
  ],
  { where: LIVE },
)
@Index('crm_contact_live_created_idx', ['accountId', 'createdAt', 'id', 'archivedAt'], {
  where: LIVE,
})
@OwnerFilterIndex(OBJECT_TYPES.contacts)
export class ContactRecord extends RecordColumns {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crm_contact_pk' })
  id!: string;

  @Column(STRING) email!: string | null;
  @Column(STRING) firstname!: string | null;
  @Column(STRING) lastname!: string | null;
  @Column(STRING) phone!: string | null;
  @Column(STRING) jobtitle!: string | null;
  @Column(STRING) company!: string | null;
  @Column(STRING) city!: string | null;
  @Column(STRING) country!: string | null;
  @Column(ENUMERATION) lifecyclestage!: string | null;
  @Column(DATE) birthdate!: string | null;
}

@Entity('crm_company')
@Index('crm_company_live_id_idx', ['accountId', 'id', 'archivedAt'], { where: LIVE })
@Index('crm_company_archived_id_idx', ['accountId', 'id'], { where: ARCHIVED })
@Index('crm_company_live_domain_idx', ['accountId', 'domain', 'archivedAt'], { where: LIVE })
@Index('crm_company_live_name_idx', ['accountId', 'name', 'id', 'archivedAt'], { where: LIVE })
@Index(
  'crm_company_live_owner_created_idx',
  ['accountId', 'ownerId', 'createdAt', 'id', 'archivedAt', ...OBJECT_TYPES.companies.scopeCarried],
  {
    where: LIVE,
  },
)
@Index(
  'crm_company_live_business_unit_created_idx',
  [
    'accountId',
    'businessUnitId',
    'createdAt',
    'id',
    'archivedAt',
    ...OBJECT_TYPES.companies.scopeCarried,
  ],
  { where: LIVE },
)
@Index('crm_company_live_created_idx', ['accountId', 'createdAt', 'id', 'archivedAt'], {
  where: LIVE,
})
@OwnerFilterIndex(OBJECT_TYPES.companies)
export class CompanyRecord extends RecordColumns {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crm_company_pk' })
  id!: string;

  @Column(STRING) name!: string | null;
  @Column(STRING) domain!: string | null;
  @Column(STRING) industry!: string | null;
  @Column(STRING) phone!: string | null;
  @Column(STRING) city!: string | null;
  @Column(STRING) country!: string | null;
  @Column(NUMBER) numberofemployees!: number | null;
  @Column(NUMBER) annualrevenue!: number | null;
}

@Entity('crm_deal')
@Index('crm_deal_live_id_idx', ['accountId', 'id', 'archivedAt'], { where: LIVE })
@Index('crm_deal_archived_id_idx', ['accountId', 'id'], { where: ARCHIVED })
@Index('crm_deal_live_dealstage_idx', ['accountId', 'dealstage', 'id', 'archivedAt'], {
  where: LIVE,
})
@Index('crm_deal_live_closedate_idx', ['accountId', 'closedate', 'id', 'archivedAt'], {
  where: LIVE,
})
@Index(
  'crm_deal_live_owner_created_idx',
  ['accountId', 'ownerId', 'createdAt', 'id', 'archivedAt', ...OBJECT_TYPES.deals.scopeCarried],
  {
    where: LIVE,
  },
)
@Index(
  'crm_deal_live_business_unit_created_idx',
  [
    'accountId',
    'businessUnitId',
    'createdAt',
    'id',
    'archivedAt',
    ...OBJECT_TYPES.deals.scopeCarried,
  ],
  { where: LIVE },
)
@Index('crm_deal_live_created_idx', ['accountId', 'createdAt', 'id', 'archivedAt'], { where: LIVE })
@OwnerFilterIndex(OBJECT_TYPES.deals)
export class DealRecord extends RecordColumns {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'crm_deal_pk' })
  id!: string;

  @Column(STRING) dealname!: string | null;
  @Column(NUMBER) amount!: number | null;
  @Column(ENUMERATION) dealstage!: string | null;
  @Column(STRING) pipeline!: string | null;
  @Column(DATE) closedate!: string | null;
  @Column(NUMBER) probability!: number | null;
}
