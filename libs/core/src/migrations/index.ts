import type { DatabaseMigrations } from '../database/migrations';
import { Jobs1796459710385 as JobsSqlite } from './sqlite/1796459710385-Jobs';
import { Jobs1796459710385 as JobsPostgres } from './postgres/1796459710385-Jobs';
import { Notifications1796460704521 as NotificationsSqlite } from './sqlite/1796460704521-Notifications';
import { Notifications1796460704521 as NotificationsPostgres } from './postgres/1796460704521-Notifications';
import { MailOutbox1796461352528 as MailOutboxSqlite } from './sqlite/1796461352528-MailOutbox';
import { MailOutbox1796461352528 as MailOutboxPostgres } from './postgres/1796461352528-MailOutbox';
import { NotificationEmail1796470000000 as NotificationEmailSqlite } from './sqlite/1796470000000-NotificationEmail';
import { NotificationEmail1796470000000 as NotificationEmailPostgres } from './postgres/1796470000000-NotificationEmail';
import { MailHeaders1797300000000 as MailHeadersSqlite } from './sqlite/1797300000000-MailHeaders';
import { MailHeaders1797300000000 as MailHeadersPostgres } from './postgres/1797300000000-MailHeaders';

/**
 * The tables of jobs, the notification inbox (and its e-mail opt-ins) and the mail outbox, per database, oldest first: spread them into your
 * DataSource's `migrations` (the schema of a lib is never synchronised in production).
 */
export const CORE_MIGRATIONS: DatabaseMigrations = {
  sqlite: [
    JobsSqlite,
    NotificationsSqlite,
    MailOutboxSqlite,
    NotificationEmailSqlite,
    MailHeadersSqlite,
  ],
  postgres: [
    JobsPostgres,
    NotificationsPostgres,
    MailOutboxPostgres,
    NotificationEmailPostgres,
    MailHeadersPostgres,
  ],
};
