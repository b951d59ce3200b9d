import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import {
  Column,
  Entity,
  PrimaryColumn,
  type MigrationInterface,
  type QueryRunner,
  type Repository,
} from 'typeorm';
import { CoreModule, newId } from '@custos/core';
import {
  BlindIndexQuery,
  CRYPTO_ENTITIES,
  CRYPTO_MIGRATIONS,
  CryptoModule,
  Encrypted,
  LocalKeyProvider,
} from '@custos/crypto';

/** Your own entity: ids assigned by the application, encrypted columns of type text. */
@Entity('patient')
export class Patient {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string = newId();

  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Encrypted({ blindIndex: 'national_id_bidx' })
  @Column({ name: 'national_id', type: 'text', nullable: true })
  nationalId!: string | null;

  @Column({ name: 'national_id_bidx', type: 'varchar', length: 16, nullable: true })
  nationalIdBidx!: string | null;

  @Encrypted()
  @Column({ name: 'born_on', type: 'text', nullable: true })
  bornOn!: Date | null;
}

/** Your own table, in your own migration next to the key ring's. */
class CreatePatients1796500000000 implements MigrationInterface {
  name = 'CreatePatients1796500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE "patient" ("id" varchar(36) PRIMARY KEY, "account_id" varchar(36) NOT NULL, "name" varchar(200) NOT NULL, "national_id" text, "national_id_bidx" varchar(16), "born_on" text)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "patient"`);
  }
}

@Injectable()
export class PatientService {
  constructor(
    @InjectRepository(Patient) private readonly patients: Repository<Patient>,
    private readonly blindIndex: BlindIndexQuery,
  ) {}

  /** Saved encrypted; the object you pass keeps its plaintext. */
  admit(patient: Patient): Promise<Patient> {
    return this.patients.save(patient);
  }

  /** Equality search on the encrypted national ID, through its blind index. */
  async findByNationalId(accountId: string, nationalId: string): Promise<Patient[]> {
    return this.patients.findBy({
      accountId,
      ...(await this.blindIndex.where(Patient, 'nationalId', accountId, nationalId)),
    });
  }
}

/** The consumer app: one SQLite file, a 32-byte master key (keep it outside the database!). */
export function patientsModule(databaseFile: string, masterKey: Buffer): DynamicModule {
  @Module({})
  class PatientsModule {}
  return {
    module: PatientsModule,
    imports: [
      CoreModule.forRoot(),
      TypeOrmModule.forRoot({
        type: 'better-sqlite3',
        database: databaseFile,
        entities: [...CRYPTO_ENTITIES, Patient],
        migrations: [...CRYPTO_MIGRATIONS.sqlite, CreatePatients1796500000000], // .postgres on PostgreSQL
        migrationsRun: true,
      }),
      TypeOrmModule.forFeature([Patient]),
      CryptoModule.forRoot({ keyProvider: new LocalKeyProvider(masterKey) }),
    ],
    providers: [PatientService],
  };
}
