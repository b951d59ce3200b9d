import type { DatabaseMigrations } from '../database/migrations';
import { Notifications1796460704521 as NotificationsSqlite } from './sqlite/1796460704521-Notifications';
import { Notifications1796460704521 as NotificationsPostgres } from './postgres/1796460704521-Notifications';
import { MailOutbox1796461352528 as MailOutboxSqlite } from './sqlite/1796461352528-MailOutbox';
import { MailOutbox1796461352528 as MailOutboxPostgres } from './postgres/1796461352528-MailOutbox';

/**
 * The tables of the notification inbox and the mail outbox, per database, oldest first: spread them into your
 * DataSource's `migrations` (the schema of a lib is never synchronised in production).
 */
export const CORE_MIGRATIONS: DatabaseMigrations = {
  sqlite: [NotificationsSqlite, MailOutboxSqlite],
  postgres: [NotificationsPostgres, MailOutboxPostgres],
};
