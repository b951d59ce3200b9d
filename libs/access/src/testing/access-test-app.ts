import { randomBytes } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AUDIT_ENTITIES, AuditModule } from '@custos/audit';
import { CoreModule, RequestContext, TransactionHost, type Actor } from '@custos/core';
import { startTestModule, type DatabaseKind } from '@custos/core/testing';
import { AccessService } from '../abilities/access.service';
import { ACCESS_ENTITIES, AccessModule } from '../access.module';
import {
  ACCESS_DIRECTORY,
  ACCESS_SUBJECTS,
  NO_SUBJECTS,
  type AccessDirectory,
  type AccessSubjects,
  type DirectoryMember,
} from '../access.ports';
import { RoleService } from '../roles/role.service';

/**
 * An {@link AccessDirectory} kept in memory, for tests without `@custos/identity`: every member
 * added is active, in the teams given, with no business unit.
 */
export class InMemoryAccessDirectory implements AccessDirectory {
  private readonly people = new Map<string, { superAdmin: boolean; teamIds: string[] }>();

  /** Adds (or replaces) a member of `accountId`. */
  add(
    accountId: string,
    userId: string,
    options: { superAdmin?: boolean; teamIds?: string[] } = {},
  ) {
    this.people.set(`${accountId}/${userId}`, {
      superAdmin: options.superAdmin ?? false,
      teamIds: options.teamIds ?? [],
    });
  }

  async member(accountId: string, userId: string): Promise<DirectoryMember | null> {
    const person = this.people.get(`${accountId}/${userId}`);
    if (!person) {
      return null;
    }
    const mates = this.userIds(accountId).filter((other) =>
      this.people.get(`${accountId}/${other}`)!.teamIds.some((t) => person.teamIds.includes(t)),
    );
    return {
      superAdmin: person.superAdmin,
      facts: {
        id: userId,
        teamIds: person.teamIds,
        teamMemberIds: [...new Set([userId, ...mates])],
        businessUnitIds: [],
        businessUnitTreeIds: [],
      },
    };
  }

  async members(accountId: string): Promise<DirectoryMember[]> {
    const members = await Promise.all(
      this.userIds(accountId).map((u) => this.member(accountId, u)),
    );
    return members.filter((m) => m !== null);
  }

  async exists(accountId: string, type: 'user' | 'team', id: string): Promise<boolean> {
    return type === 'user'
      ? this.people.has(`${accountId}/${id}`)
      : this.userIds(accountId).some((u) =>
          this.people.get(`${accountId}/${u}`)!.teamIds.includes(id),
        );
  }

  async teamMembers(accountId: string, teamId: string): Promise<string[]> {
    return this.userIds(accountId).filter((u) =>
      this.people.get(`${accountId}/${u}`)!.teamIds.includes(teamId),
    );
  }

  private userIds(accountId: string): string[] {
    return [...this.people.keys()]
      .filter((key) => key.startsWith(`${accountId}/`))
      .map((key) => key.slice(accountId.length + 1));
  }
}

/** `@custos/access` (with core and audit) booted on a real database, no HTTP. */
export interface AccessTestApp {
  readonly module: TestingModule;
  readonly directory: InMemoryAccessDirectory;
  readonly access: AccessService;
  readonly roles: RoleService;
  readonly context: RequestContext;
  readonly transactions: TransactionHost;
  close(): Promise<void>;
}

export async function createAccessTestApp(
  kind: DatabaseKind,
  options: { subjects?: AccessSubjects } = {},
): Promise<AccessTestApp> {
  const directory = new InMemoryAccessDirectory();
  const { module: app, close } = await startTestModule(kind, (connection) => ({
    imports: [
      CoreModule.forRoot({
        isGlobal: true,
        verifyRoutePolicies: false,
        privilegeResolver: AccessService,
      }),
      TypeOrmModule.forRoot({
        ...connection,
        entities: [...AUDIT_ENTITIES, ...ACCESS_ENTITIES],
        synchronize: true,
      }),
      AuditModule.forRoot({ signingKey: randomBytes(32) }),
      AccessModule.forRoot({}),
    ],
    providers: [
      { provide: ACCESS_DIRECTORY, useValue: directory },
      { provide: ACCESS_SUBJECTS, useValue: options.subjects ?? NO_SUBJECTS },
    ],
  }));
  return {
    module: app,
    directory,
    access: app.get(AccessService),
    roles: app.get(RoleService),
    context: app.get(RequestContext),
    transactions: app.get(TransactionHost),
    close,
  };
}

/** The actor of a person in `accountId`, as an authentication guard would bind it. */
export function personActor(
  accountId: string,
  userId: string,
  options: { superAdmin?: boolean } = {},
): Actor {
  return {
    kind: 'user',
    id: userId,
    accountId,
    userId,
    label: `${userId}@example.com`,
    superAdmin: options.superAdmin ?? false,
  };
}
