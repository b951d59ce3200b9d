import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CORE_MIGRATIONS, type MigrationClass } from '@custos/core';
import { ACCESS_MIGRATIONS } from '@custos/access';
import { APPROVAL_MIGRATIONS } from '@custos/approvals';
import { AUDIT_MIGRATIONS } from '@custos/audit';
import { CONSENT_MIGRATIONS } from '@custos/consent';
import { PRIVACY_MIGRATIONS } from '@custos/privacy';
import { CRYPTO_MIGRATIONS } from '@custos/crypto';
import { EXPORTS_MIGRATIONS } from '@custos/exports';
import { IDENTITY_MIGRATIONS } from '@custos/identity';
import { PARTNER_MIGRATIONS } from '@custos/partners';
import { POSTGRES_SERVER_MIGRATIONS } from './postgres';
import { SQLITE_SERVER_MIGRATIONS } from './sqlite';

/**
 * Before the libs had migrations of their own, the server created their tables in its own, and an
 * existing database has these names recorded. Each runs the parts that took its place (the same
 * statements, grouped by owner), so TypeORM sees them as already run there.
 */
const FORMER_SERVER_MIGRATIONS: Record<string, string[]> = {
  Initial1795373768333: ['AuditLog1795373768333', 'Identity1795373768333'],
  SensitiveData1795383997230: [
    'CryptoDataKeys1795383997230',
    'AccountEditionAndRegion1795383997230',
    'CrmSensitiveData1795383997230',
  ],
  KeyRotation1795385014473: ['CryptoRotation1795385014473', 'CrmHistoryKeyIndex1795385014473'],
  SharedNotifications1796460704521: [
    'Notifications1796460704521',
    'FormNotificationsToInbox1796460704521',
  ],
};

/** The migrations of the server on a database: the libs' and its own, oldest first. */
export function serverMigrations(kind: 'sqlite' | 'postgres'): MigrationClass[] {
  const all = [
    ...CORE_MIGRATIONS[kind],
    ...AUDIT_MIGRATIONS[kind],
    ...CRYPTO_MIGRATIONS[kind],
    ...ACCESS_MIGRATIONS[kind],
    ...IDENTITY_MIGRATIONS[kind],
    ...APPROVAL_MIGRATIONS[kind],
    ...EXPORTS_MIGRATIONS[kind],
    ...CONSENT_MIGRATIONS[kind],
    ...PARTNER_MIGRATIONS[kind],
    ...PRIVACY_MIGRATIONS[kind],
    ...(kind === 'sqlite' ? SQLITE_SERVER_MIGRATIONS : POSTGRES_SERVER_MIGRATIONS),
  ];
  const byName = new Map(all.map((migration) => [nameOf(migration), migration]));
  const folded = new Set<MigrationClass>();
  const former = Object.entries(FORMER_SERVER_MIGRATIONS).map(([name, partNames]) => {
    const parts = partNames.map((partName) => {
      const part = byName.get(partName);
      if (part === undefined) {
        throw new Error(`Migration ${partName} of ${name} is missing`);
      }
      folded.add(part);
      return part;
    });
    return underFormerName(name, parts);
  });
  return [...all.filter((migration) => !folded.has(migration)), ...former].sort(
    (a, b) => timestampOf(a) - timestampOf(b),
  );
}

function nameOf(migration: MigrationClass): string {
  return new migration().name ?? migration.name;
}

/** TypeORM's order: the 13-digit timestamp that ends each name. */
function timestampOf(migration: MigrationClass): number {
  return Number(nameOf(migration).slice(-13));
}

function underFormerName(name: string, parts: MigrationClass[]): MigrationClass {
  const migration = class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const part of parts) {
        await new part().up(queryRunner);
      }
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const part of [...parts].reverse()) {
        await new part().down(queryRunner);
      }
    }
  };
  // The class goes by the former name too, as generated migration classes do.
  return Object.defineProperty(migration, 'name', { value: name });
}
