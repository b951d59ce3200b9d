/**
 * Generates the migrations that bring the schema of both database types up to the entities:
 * `npm run migration:generate -- AddSomething`. For SQLite and PostgreSQL it creates a scratch
 * database, applies the existing migrations, diffs against the entities with TypeORM's schema
 * builder and writes `src/migrations/<type>/<timestamp>-<Name>.ts`, registered in that folder's
 * index. Review the generated SQL before committing.
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { connectionOptionsOf, createTestDatabase, type DatabaseKind } from '@custos/core/testing';
import { dataSourceOptions } from '../src/database/data-source-options';

function escape(query: string): string {
  return query.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

async function generate(kind: DatabaseKind, name: string, timestamp: number): Promise<void> {
  const database = await createTestDatabase(kind);
  const connection = connectionOptionsOf(database);
  const options = dataSourceOptions(
    connection.type === 'postgres'
      ? connection
      : { type: 'better-sqlite3', database: connection.database },
  );
  const dataSource = new DataSource({ ...options, migrationsRun: false, logging: false });
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const sql = await dataSource.driver.createSchemaBuilder().log();
    if (sql.upQueries.length === 0) {
      console.log(`${kind}: schema is up to date`);
      return;
    }
    const className = `${name}${timestamp}`;
    const up = sql.upQueries.map(
      (q) =>
        `    await queryRunner.query(\`${escape(q.query)}\`${q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : ''});`,
    );
    const down = sql.downQueries
      .reverse()
      .map(
        (q) =>
          `    await queryRunner.query(\`${escape(q.query)}\`${q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : ''});`,
      );
    const folder = join(__dirname, '..', 'src', 'migrations', kind);
    const file = `${timestamp}-${name}`;
    writeFileSync(
      join(folder, `${file}.ts`),
      `import type { MigrationInterface, QueryRunner } from 'typeorm';\n\n` +
        `export class ${className} implements MigrationInterface {\n  name = '${className}';\n\n` +
        `  async up(queryRunner: QueryRunner): Promise<void> {\n${up.join('\n')}\n  }\n\n` +
        `  async down(queryRunner: QueryRunner): Promise<void> {\n${down.join('\n')}\n  }\n}\n`,
    );
    const indexFile = join(folder, 'index.ts');
    const current = readFileSync(indexFile, 'utf8');
    const list = /= \[([^\]]*)\];/.exec(current);
    if (!list) {
      throw new Error(`${indexFile} has no migration array`);
    }
    const classes = [
      ...list[1]
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
      className,
    ];
    const index =
      `import { ${className} } from './${file}';\n` +
      current.replace(list[0], `= [\n${classes.map((name) => `  ${name},`).join('\n')}\n];`);
    writeFileSync(indexFile, index);
    console.log(
      `${kind}: wrote src/migrations/${kind}/${file}.ts (${sql.upQueries.length} statements)`,
    );
  } finally {
    if (dataSource.isInitialized) {
      await dataSource.destroy();
    }
    await database.drop();
  }
}

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
    console.error('Usage: npm run migration:generate -- <PascalCaseName>');
    process.exit(2);
  }
  const timestamp = Date.now();
  await generate('sqlite', name, timestamp);
  await generate('postgres', name, timestamp);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
