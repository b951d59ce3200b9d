import type { DatabaseMigrations } from '../database/migrations';
import { Notifications1796460704521 as NotificationsSqlite } from './sqlite/1796460704521-Notifications';
import { Notifications1796460704521 as NotificationsPostgres } from './postgres/1796460704521-Notifications';

/**
 * The table of the notification inbox, per database, oldest first: spread them into your
 * DataSource's `migrations` (the schema of a lib is never synchronised in production).
 */
export const CORE_MIGRATIONS: DatabaseMigrations = {
  sqlite: [NotificationsSqlite],
  postgres: [NotificationsPostgres],
};
