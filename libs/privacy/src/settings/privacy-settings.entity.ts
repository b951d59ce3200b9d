import { TimestampColumn } from '@custos/core';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An account's privacy settings: where its request clock keeps dates — the IANA time zone the
 * date of receipt is read in, and the public holidays a due date moves past. No row: UTC, none.
 */
@Entity('privacy_settings')
export class PrivacySettings {
  @PrimaryColumn({
    name: 'account_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'privacy_settings_pk',
  })
  accountId!: string;

  @Column({ name: 'time_zone', type: 'varchar', length: 64 })
  timeZone!: string;

  /** `YYYY-MM-DD` dates, sorted, each once. */
  @Column({ type: 'simple-json' })
  holidays!: string[];

  @Column({ name: 'updated_by', type: 'varchar', length: 64 })
  updatedBy!: string;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
