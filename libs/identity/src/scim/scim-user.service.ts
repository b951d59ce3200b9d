import { Injectable } from '@nestjs/common';
import { IsNull, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { AccessService } from '@custos/access';
import { AuditService } from '@custos/audit';
import { Clock, isUniqueViolation, newId, RequestContext, TransactionHost } from '@custos/core';
import { BusinessUnit } from '../business-units/business-unit.entity';
import { IdentityErrors } from '../identity.errors';
import { changes } from '../users/user.service';
import { Membership, type MembershipStatus } from '../users/membership.entity';
import { membershipStatusAt } from '../users/partner-access-term';
import { User } from '../users/user.entity';
import { UserService } from '../users/user.service';
import { parseScimFilter } from './scim-filter';
import { applyUserPatch, type ScimPatchOperation, type ScimUserAttributes } from './scim-patch';
import {
  listResponse,
  userResource,
  type ScimListResponse,
  type ScimPage,
  type ScimUserResource,
} from './scim-resources';
import { ScimUser } from './scim-user.entity';
import { ScimErrors } from './scim.errors';

/** Filterable user attributes → the SQL expression each compares (lower-cased where caseExact is false). */
const USER_FILTERS = {
  username: 'username',
  externalid: 'externalid',
  id: 'id',
  displayname: 'displayname',
  'emails[type eq "work"].value': 'workemail',
  'emails.value': 'workemail',
} as const;
type UserFilterAttribute = (typeof USER_FILTERS)[keyof typeof USER_FILTERS];

const EMAIL = /^[^\s@]+@[^\s@]+$/;
/** Named by PostgreSQL when two creates race with one externalId (SQLite runs them in turn). */
const EXTERNAL_ID_UNIQUE = 'identity_scim_user_account_external_uq';

/** One row of the user query: membership, login and the account's SCIM attributes. */
interface UserRow {
  /** The SCIM id: `user_id`, or the one the person was provisioned under (see ScimUser). */
  id: string;
  user_id: string;
  email: string;
  login_display_name: string;
  status: MembershipStatus;
  partner_firm_id: string | null;
  partner_expires_at: string | null;
  partner_extend_days: number | string | null;
  created_at: string;
  updated_at: string;
  external_id: string | null;
  display_name: string | null;
  given_name: string | null;
  family_name: string | null;
  work_email: string | null;
  title: string | null;
  department: string | null;
  scim_updated_at: string | null;
}

const BLANK: Omit<ScimUserAttributes, 'userName'> = {
  active: true,
  externalId: null,
  displayName: null,
  givenName: null,
  familyName: null,
  workEmail: null,
  title: null,
  department: null,
};

/**
 * SCIM Users of the provisioning token's account: members with their login and the attributes
 * the identity provider keeps per account. Lifecycle changes go through {@link UserService}'s own
 * paths (deactivation, reactivation, removal, with the last-super-admin invariant); nothing here
 * ever makes or unmakes a super admin.
 */
@Injectable()
export class ScimUserService {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
    private readonly users: UserService,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Filter → `WHERE`, total → `COUNT(*)`, page → `OFFSET`/`LIMIT`, all in SQL. */
  async list(
    filter: string | undefined,
    page: ScimPage,
    baseUrl: string,
  ): Promise<ScimListResponse<ScimUserResource>> {
    const query = this.query(this.transactions.manager);
    if (filter !== undefined) {
      const { attribute, value } = parseScimFilter<UserFilterAttribute>(filter, USER_FILTERS);
      whereUser(query, attribute, value);
    }
    const [total, rows] = await this.transactions.all(
      () => query.clone().select('COUNT(*)', 'total').getRawOne<{ total: string | number }>(),
      () =>
        query
          .clone()
          .orderBy('m.created_at', 'ASC')
          .addOrderBy('m.id', 'ASC')
          .offset(page.startIndex - 1)
          .limit(page.count)
          .getRawMany<UserRow>(),
    );
    return listResponse(
      Number(total?.total ?? 0),
      page,
      rows.map((row) => toResource(row, baseUrl, this.clock.now())),
    );
  }

  async get(id: string, baseUrl: string): Promise<ScimUserResource> {
    return toResource(await this.row(this.transactions.manager, id), baseUrl, this.clock.now());
  }

  /**
   * Provisions a person as an active member (a new login when the email has none). Idempotent on
   * `externalId`: the same externalId again answers the user it made, reactivated if the request
   * says `active`; another user with the same userName is 409 `uniqueness`.
   */
  async create(body: unknown, baseUrl: string): Promise<ScimUserResource> {
    const attributes = attributesOf(body);
    const accountId = this.context.requireAccountId();
    try {
      const userId = await this.transactions.run(async (manager) => {
        // No lock up front: a full sync's creates overlap until their last writes (the access
        // version and the audit chain, locked in that order as by every administrative change).
        // Two creates of one person collide on the unique login email, membership or externalId
        // instead, and the second is answered 409.
        const known = attributes.externalId
          ? await manager.findOneBy(ScimUser, { accountId, externalId: attributes.externalId })
          : null;
        if (known) {
          const current = attributesOfRow(
            await this.row(manager, known.resourceId ?? known.userId),
            this.clock.now(),
          );
          if (attributes.active && !current.active) {
            await this.users.update(known.userId, { status: 'active' });
          }
          return known.resourceId ?? known.userId;
        }
        return this.provision(manager, accountId, attributes);
      });
      return this.get(userId, baseUrl);
    } catch (error) {
      if (isUniqueViolation(error, EXTERNAL_ID_UNIQUE)) {
        throw ScimErrors.externalIdTaken();
      }
      if (isUniqueViolation(error)) {
        throw ScimErrors.userNameTaken();
      }
      throw error;
    }
  }

  private async provision(
    manager: EntityManager,
    accountId: string,
    attributes: ScimUserAttributes,
  ): Promise<string> {
    const now = this.clock.now();
    let login = await manager.findOneBy(User, { email: attributes.userName });
    if (
      login &&
      (await manager.exists(Membership, {
        where: [
          { accountId, userId: login.id },
          { accountId, invitedLoginId: login.id },
        ],
      }))
    ) {
      throw ScimErrors.userNameTaken();
    }
    // A fresh id either way, and a login of another account is not linked until its owner signs
    // in (as with an invitation): neither the id (nor its UUIDv7 time), the name shown nor
    // anything later tells the provider whether the person had a login elsewhere.
    const userId = newId();
    const existed = login !== null;
    if (!login) {
      login = manager.create(User, {
        id: userId,
        email: attributes.userName,
        displayName: shownName(attributes),
        passwordHash: null,
        credentialGeneration: 0,
        createdAt: now,
        updatedAt: now,
      });
      await manager.insert(User, login);
    }
    const root = await manager.findOneByOrFail(BusinessUnit, { accountId, parentId: IsNull() });
    const status = attributes.active ? 'active' : 'deactivated';
    await manager.insert(Membership, {
      id: newId(),
      accountId,
      userId,
      superAdmin: false,
      status,
      invitedLoginId: existed ? login.id : null,
      invitedDisplayName: existed ? shownName(attributes) : null,
      credentialGeneration: 0,
      businessUnitId: root.id,
      createdAt: now,
      updatedAt: now,
    });
    await manager.insert(ScimUser, {
      ...scimColumns(attributes),
      accountId,
      userId,
      resourceId: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.access.bump(accountId);
    await this.audit.record({
      action: 'user.added',
      targetType: 'user',
      targetId: userId,
      metadata: {
        after: {
          status,
          // By id only, as every user event: names in the hash-chained log could not be erased.
          superAdmin: false,
          businessUnitId: root.id,
          externalId: attributes.externalId,
        },
      },
    });
    return userId;
  }

  /**
   * PUT: the resource as sent replaces the kept attributes (absent ones are cleared), except
   * `active`: a body without it leaves the status alone rather than reactivate anyone.
   */
  async replace(id: string, body: unknown, baseUrl: string): Promise<ScimUserResource> {
    const wanted = attributesOf(body);
    const setsActive = Object.keys(body as object).some((key) => key.toLowerCase() === 'active');
    await this.change(id, (current) => {
      if (wanted.userName !== current.userName) {
        throw ScimErrors.userNameChanged();
      }
      return setsActive ? wanted : { ...wanted, active: current.active };
    });
    return this.get(id, baseUrl);
  }

  async patch(
    id: string,
    operations: ScimPatchOperation[],
    baseUrl: string,
  ): Promise<ScimUserResource> {
    await this.change(id, (current) => applyUserPatch(current, operations));
    return this.get(id, baseUrl);
  }

  /** Removes the person from the account through the user service (404 afterwards). */
  async remove(id: string): Promise<void> {
    const accountId = this.context.requireAccountId();
    await this.transactions.run(async (manager) => {
      const { user_id: userId } = await this.row(manager, id);
      await this.users.remove(userId);
      await manager.delete(ScimUser, { accountId, userId });
    });
  }

  /**
   * Stores the difference between the user now and `next(now)`: a change of `active` through the
   * user service's own deactivation and reactivation (which end the person's sessions and keep
   * the last super admin), the rest in the account's SCIM attributes, audited with before/after.
   */
  private async change(
    id: string,
    next: (current: ScimUserAttributes) => ScimUserAttributes,
  ): Promise<void> {
    const accountId = this.context.requireAccountId();
    try {
      await this.transactions.run(async (manager) => {
        const row = await this.row(manager, id);
        const userId = row.user_id;
        const before = attributesOfRow(row, this.clock.now());
        const after = next(before);
        if (after.active !== before.active) {
          await this.users.update(userId, { status: after.active ? 'active' : 'deactivated' });
        }
        const { before: was, after: now } = changes(scimColumns(before), scimColumns(after));
        if (Object.keys(now).length === 0) {
          return;
        }
        const updatedAt = this.clock.now();
        if (row.scim_updated_at === null) {
          await manager.insert(ScimUser, {
            ...scimColumns(after),
            accountId,
            userId,
            resourceId: null,
            createdAt: updatedAt,
            updatedAt,
          });
        } else {
          await manager.update(ScimUser, { accountId, userId }, { ...now, updatedAt });
        }
        await this.audit.record({
          action: 'user.scim_attributes_updated',
          targetType: 'user',
          targetId: userId,
          metadata: { before: was, after: now },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw ScimErrors.externalIdTaken();
      }
      throw error;
    }
  }

  private query(manager: EntityManager): SelectQueryBuilder<Membership> {
    return manager
      .createQueryBuilder(Membership, 'm')
      .innerJoin(User, 'u', 'u.id = COALESCE(m.invited_login_id, m.user_id)')
      .leftJoin(ScimUser, 's', 's.account_id = m.account_id AND s.user_id = m.user_id')
      .select([
        `${SCIM_ID} AS id`,
        'm.user_id AS user_id',
        'u.email AS email',
        // Until they sign in, not the name of a login that existed before (see provision).
        'COALESCE(m.invited_display_name, u.display_name) AS login_display_name',
        'm.status AS status',
        'm.partner_firm_id AS partner_firm_id',
        'm.partner_access_expires_at AS partner_expires_at',
        'm.partner_access_extend_days AS partner_extend_days',
        'm.created_at AS created_at',
        'm.updated_at AS updated_at',
        's.external_id AS external_id',
        's.display_name AS display_name',
        's.given_name AS given_name',
        's.family_name AS family_name',
        's.work_email AS work_email',
        's.title AS title',
        's.department AS department',
        's.updated_at AS scim_updated_at',
      ])
      .where('m.account_id = :accountId', { accountId: this.context.requireAccountId() });
  }

  private async row(manager: EntityManager, id: string): Promise<UserRow> {
    const row = await whereId(this.query(manager), id).getRawOne<UserRow>();
    if (!row) {
      throw IdentityErrors.userNotFound();
    }
    return row;
  }
}

const LOGIN_BY_EMAIL = 'SELECT l.id FROM identity_user l WHERE l.email = :value';
/** The id the provider knows a member by (see {@link ScimUser.resourceId}). */
const SCIM_ID = 'COALESCE(s.resource_id, m.user_id)';

function whereId(
  query: SelectQueryBuilder<Membership>,
  id: string,
  parameter = 'id',
): SelectQueryBuilder<Membership> {
  // The member the SCIM id is kept for, else the member of that user id unless it has a SCIM id
  // of its own; one uncorrelated lookup first, so that the membership index serves the rest.
  return query.andWhere(
    `m.user_id = COALESCE((SELECT r.user_id FROM identity_scim_user r WHERE r.account_id = :accountId AND r.resource_id = :${parameter}), :${parameter})
      AND (s.resource_id IS NULL OR s.resource_id = :${parameter})`,
    { [parameter]: id },
  );
}

function whereUser(
  query: SelectQueryBuilder<Membership>,
  attribute: UserFilterAttribute,
  value: string,
): void {
  switch (attribute) {
    case 'username':
      // Logins are stored lower-cased: `eq` on userName is case-insensitive (caseExact false).
      // Through the login's id, so that both membership indexes serve it (the join on
      // COALESCE(…) alone would scan the account's memberships).
      query.andWhere(
        `(m.user_id IN (${LOGIN_BY_EMAIL}) OR m.invited_login_id IN (${LOGIN_BY_EMAIL}))`,
        { value: value.toLowerCase() },
      );
      return;
    case 'externalid':
      query.andWhere('s.external_id = :value', { value });
      return;
    case 'id':
      whereId(query, value, 'value');
      return;
    case 'displayname':
      query.andWhere('LOWER(COALESCE(s.display_name, u.display_name)) = :value', {
        value: value.toLowerCase(),
      });
      return;
    case 'workemail':
      query.andWhere('COALESCE(s.work_email, u.email) = :value', { value: value.toLowerCase() });
      return;
  }
}

/** The attributes of a POST or PUT body: `userName` required, the rest as a path-less replace. */
function attributesOf(body: unknown): ScimUserAttributes {
  const userName =
    typeof body === 'object' && body !== null
      ? (body as { userName?: unknown }).userName
      : undefined;
  if (typeof userName !== 'string' || userName.trim() === '') {
    throw ScimErrors.invalidValue('userName', 'is required');
  }
  const login = userName.trim().toLowerCase();
  if (login.length > 320 || !EMAIL.test(login)) {
    throw ScimErrors.invalidValue('userName', 'must be an email address (it is the login)');
  }
  return applyUserPatch({ ...BLANK, userName: login }, [{ op: 'replace', value: body }]);
}

/** The user as the provider sees them at `now` (an expired partner access is not active). */
function attributesOfRow(row: UserRow, now: Date): ScimUserAttributes {
  const status = membershipStatusAt(
    {
      status: row.status,
      partnerFirmId: row.partner_firm_id,
      partnerAccessExpiresAt: row.partner_expires_at ? new Date(row.partner_expires_at) : null,
      partnerAccessExtendDays:
        row.partner_extend_days === null ? null : Number(row.partner_extend_days),
    },
    now,
  );
  return {
    userName: row.email,
    active: status === 'active',
    externalId: row.external_id,
    displayName: row.display_name,
    givenName: row.given_name,
    familyName: row.family_name,
    workEmail: row.work_email,
    title: row.title,
    department: row.department,
  };
}

function scimColumns(
  attributes: ScimUserAttributes,
): Omit<ScimUserAttributes, 'userName' | 'active'> {
  return {
    externalId: attributes.externalId,
    displayName: attributes.displayName,
    givenName: attributes.givenName,
    familyName: attributes.familyName,
    workEmail: attributes.workEmail,
    title: attributes.title,
    department: attributes.department,
  };
}

function shownName(attributes: ScimUserAttributes): string {
  const full = [attributes.givenName, attributes.familyName].filter(Boolean).join(' ');
  return (attributes.displayName ?? full) || attributes.userName;
}

function toResource(row: UserRow, baseUrl: string, now: Date): ScimUserResource {
  const attributes = attributesOfRow(row, now);
  const modified = [row.updated_at, row.scim_updated_at ?? row.updated_at].sort().at(-1)!;
  return userResource(
    row.id,
    { ...attributes, displayName: attributes.displayName ?? row.login_display_name },
    { created: new Date(row.created_at), lastModified: new Date(modified) },
    baseUrl,
  );
}
