import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '@custos/core';

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

const STRING = { type: 'varchar', length: 255, nullable: true } as const;
const NUMBER = { type: 'double precision', nullable: true } as const;
const DATE = { type: 'varchar', length: 10, nullable: true } as const;
const ENUMERATION = { type: 'varchar', length: 100, nullable: true } as const;

@Entity('crm_contact')
@Index('crm_contact_account_id_idx', ['accountId', 'id'])
@Index('crm_contact_account_email_idx', ['accountId', 'email'])
@Index('crm_contact_account_lastname_idx', ['accountId', 'lastname', 'id'])
@Index('crm_contact_account_country_lastname_idx', ['accountId', 'country', 'lastname', 'id'])
@Index('crm_contact_account_lifecyclestage_idx', ['accountId', 'lifecyclestage', 'id'])
@Index('crm_contact_account_owner_idx', ['accountId', 'ownerId', 'id'])
@Index('crm_contact_account_business_unit_idx', ['accountId', 'businessUnitId', 'id'])
@Index('crm_contact_account_created_idx', ['accountId', 'createdAt', 'id'])
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
@Index('crm_company_account_id_idx', ['accountId', 'id'])
@Index('crm_company_account_domain_idx', ['accountId', 'domain'])
@Index('crm_company_account_name_idx', ['accountId', 'name', 'id'])
@Index('crm_company_account_owner_idx', ['accountId', 'ownerId', 'id'])
@Index('crm_company_account_business_unit_idx', ['accountId', 'businessUnitId', 'id'])
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
@Index('crm_deal_account_id_idx', ['accountId', 'id'])
@Index('crm_deal_account_dealstage_idx', ['accountId', 'dealstage', 'id'])
@Index('crm_deal_account_closedate_idx', ['accountId', 'closedate', 'id'])
@Index('crm_deal_account_owner_idx', ['accountId', 'ownerId', 'id'])
@Index('crm_deal_account_business_unit_idx', ['accountId', 'businessUnitId', 'id'])
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
