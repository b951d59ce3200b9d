import { subject } from '@casl/ability';
import type { ObjectPrivilege } from '../access.types';
import { RECORD_ACTIONS, type RecordAction } from '../conditions/access-ability';
import { subjectFields, type Condition } from '../conditions/condition-language';
import type { FieldPermission } from '../field-permissions/field-permission.entity';
import type { Role } from '../roles/role.entity';
import type { RecordRule } from '../rules/record-rule.entity';
import { buildAccess, type AccessInputs } from './build-access';
import { ACCESS_PRIVILEGES } from '../access.privileges';

const me = {
  id: 'me',
  teamIds: ['north'],
  teamMemberIds: ['me', 'mate'],
  businessUnitIds: ['emea'],
  businessUnitTreeIds: ['emea', 'emea-de'],
};

function role(
  id: string,
  privileges: ObjectPrivilege[],
  taskPrivileges: Role['taskPrivileges'] = [],
): Role {
  return {
    id,
    accountId: 'a',
    name: id,
    description: '',
    privileges,
    taskPrivileges,
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}

function rule(fields: {
  roleId?: string | null;
  effect?: 'restrict' | 'deny';
  actions?: RecordAction[];
  condition: Condition;
}): RecordRule {
  return {
    id: `rule-${Math.random()}`,
    accountId: 'a',
    roleId: fields.roleId ?? null,
    name: 'rule',
    objectType: 'contacts',
    actions: fields.actions ?? ['read'],
    effect: fields.effect ?? 'restrict',
    condition: fields.condition,
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}

function access(inputs: Partial<AccessInputs>) {
  return buildAccess({
    superAdmin: false,
    facts: me,
    roles: [],
    rules: [],
    fieldPermissions: [],
    ...inputs,
  });
}

const record = (fields: Record<string, unknown>) => subject('contacts', subjectFields(fields));
const mine = record({ ownerId: 'me', businessUnitId: 'emea', region: 'EMEA' });
const mates = record({ ownerId: 'mate', businessUnitId: 'emea-de', region: 'APAC' });
const strangers = record({ ownerId: 'stranger', businessUnitId: 'us', region: 'EMEA' });

describe(buildAccess.name, () => {
  it('grants nothing without roles', () => {
    expect(access({}).ability.can('read', mine)).toBe(false);
  });

  it.each([
    ['own', [true, false, false]],
    ['team', [true, true, false]],
    ['business_unit', [true, false, false]],
    ['business_unit_tree', [true, true, false]],
    ['account', [true, true, true]],
  ] as const)('scopes a privilege at level %s', (level, expected) => {
    const { ability } = access({
      roles: [role('r', [{ objectType: 'contacts', action: 'read', level }])],
    });
    expect([mine, mates, strangers].map((r) => ability.can('read', r))).toEqual(expected);
  });

  it('unions the roles a user holds', () => {
    const { ability } = access({
      roles: [
        role('own', [{ objectType: 'contacts', action: 'read', level: 'own' }]),
        role('upd', [{ objectType: 'contacts', action: 'update', level: 'account' }]),
      ],
    });
    expect(ability.can('read', mine)).toBe(true);
    expect(ability.can('read', strangers)).toBe(false);
    expect(ability.can('update', strangers)).toBe(true);
  });

  it("narrows a role's grants with its restrict rules, OR'ed together", () => {
    const roles = [role('r', [{ objectType: 'contacts', action: 'read', level: 'account' }])];
    const rules = [
      rule({ roleId: 'r', condition: { region: 'EMEA' } }),
      rule({ roleId: 'r', condition: { ownerId: '$user.id' } }),
    ];
    const { ability } = access({ roles, rules });
    expect([mine, mates, strangers].map((r) => ability.can('read', r))).toEqual([
      true,
      false,
      true,
    ]);
  });

  it("AND's account-wide restrict rules over every role", () => {
    const roles = [role('r', [{ objectType: 'contacts', action: 'read', level: 'account' }])];
    const rules = [
      rule({ condition: { region: 'EMEA' } }),
      rule({ condition: { businessUnitId: { $in: '$user.businessUnitTreeIds' } } }),
    ];
    const { ability } = access({ roles, rules });
    expect([mine, mates, strangers].map((r) => ability.can('read', r))).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('lets deny rules win over any grant, for holders of the role or everyone', () => {
    const roles = [role('r', [{ objectType: 'contacts', action: 'read', level: 'account' }])];
    const deny = rule({ roleId: 'r', effect: 'deny', condition: { region: 'APAC' } });
    expect(access({ roles, rules: [deny] }).ability.can('read', mates)).toBe(false);
    expect(access({ roles, rules: [deny] }).ability.can('read', strangers)).toBe(true);
    const elsewhere = rule({ roleId: 'other-role', effect: 'deny', condition: { region: 'EMEA' } });
    expect(access({ roles, rules: [elsewhere] }).ability.can('read', mine)).toBe(true);
  });

  it('counts towards the grant ceiling only the privileges no rule of a held role narrows', () => {
    const read = { objectType: 'contacts', action: 'read', level: 'account' } as const;
    const update = { objectType: 'contacts', action: 'update', level: 'team' } as const;
    const roles = [role('r', [read, update]), role('s', [{ ...read, level: 'own' }])];
    const narrowed = access({
      roles,
      rules: [rule({ roleId: 'r', condition: { region: 'EMEA' } })],
    });
    expect(narrowed.grantable).toEqual([update, { ...read, level: 'own' }]);
    expect(narrowed.privileges).toHaveLength(3);
    const denied = access({
      roles,
      rules: [rule({ roleId: 's', effect: 'deny', condition: { region: 'APAC' } })],
    });
    expect(denied.grantable).toEqual([update]);
    // Account-wide rules bind the holders of any role alike: they narrow nothing one could grant.
    const global = access({ roles, rules: [rule({ condition: { region: 'EMEA' } })] });
    expect(global.grantable).toEqual([read, update, { ...read, level: 'own' }]);
  });

  it('gives super admins everything, unbound by rules', () => {
    const { ability, taskPrivileges } = access({
      superAdmin: true,
      rules: [rule({ effect: 'deny', condition: { region: 'EMEA' } })],
    });
    expect(ability.can('delete', strangers)).toBe(true);
    expect([...ACCESS_PRIVILEGES].every((p) => taskPrivileges.has(p))).toBe(true);
  });

  it('unions task privileges of roles', () => {
    const { taskPrivileges } = access({
      roles: [role('a', [], ['export']), role('b', [], ['import'])],
    });
    expect([...taskPrivileges].sort()).toEqual(['export', 'import']);
  });

  describe('read-only actors (support sessions)', () => {
    const readOnly = (inputs: Partial<AccessInputs> = {}) =>
      access({
        facts: null,
        readOnly: true,
        taskPrivileges: new Set(['view_audit_log']),
        ...inputs,
      });

    it('reads every record of every type and does nothing else', () => {
      const { ability, taskPrivileges } = readOnly();
      for (const type of ['contacts', 'companies', 'deals']) {
        expect(ability.can('read', subject(type, subjectFields({ ownerId: 'x' })))).toBe(true);
      }
      for (const action of RECORD_ACTIONS.filter((a) => a !== 'read')) {
        expect(ability.can(action, strangers)).toBe(false);
      }
      expect([...taskPrivileges]).toEqual(['view_audit_log']);
    });

    it('is bound by account-wide restrict and deny rules, not by rules of roles', () => {
      const { ability } = readOnly({
        rules: [
          rule({ condition: { region: 'EMEA' } }),
          rule({ effect: 'deny', condition: { businessUnitId: 'emea-de' } }),
          rule({ roleId: 'r', effect: 'deny', condition: { ownerId: 'me' } }),
        ],
      });
      expect([mine, mates, strangers].map((r) => ability.can('read', r))).toEqual([
        true,
        false,
        true,
      ]);
    });

    it('matches no $user placeholder: it is nobody in the account', () => {
      const { ability } = readOnly({ rules: [rule({ condition: { ownerId: '$user.id' } })] });
      expect([mine, mates, strangers].some((r) => ability.can('read', r))).toBe(false);
    });

    it('sees only the restricted properties open to everyone', () => {
      const permission = (property: string, principalType: FieldPermission['principalType']) =>
        ({
          id: property,
          accountId: 'a',
          objectType: 'contacts',
          property,
          access: 'view',
          principalType,
          principalId: '',
        }) satisfies FieldPermission;
      const fields = readOnly({
        fieldPermissions: [permission('salary', 'super_admins'), permission('city', 'everyone')],
      }).fields('contacts');
      expect(['email', 'salary', 'city'].map((p) => fields.canView(p))).toEqual([
        true,
        false,
        true,
      ]);
    });
  });

  describe('field permissions (allow-lists)', () => {
    const permission = (
      property: string,
      accessKind: 'view' | 'edit',
      principalType: FieldPermission['principalType'],
      principalId = '',
    ): FieldPermission => ({
      id: `${property}-${accessKind}-${principalType}-${principalId}`,
      accountId: 'a',
      objectType: 'contacts',
      property,
      access: accessKind,
      principalType,
      principalId,
    });
    const roles = [
      role('sales', [
        { objectType: 'contacts', action: 'read', level: 'account' },
        { objectType: 'contacts', action: 'update', level: 'account' },
      ]),
    ];

    it('leaves unrestricted properties open and restricts listed ones to their principals', () => {
      const fields = access({
        roles,
        fieldPermissions: [
          permission('salary', 'view', 'team', 'hr'),
          permission('region', 'view', 'team', 'north'),
        ],
      }).fields('contacts');
      expect(fields.canView('email')).toBe(true);
      expect(fields.canView('salary')).toBe(false);
      expect(fields.canView('region')).toBe(true);
    });

    it('supports everyone, super admins only, users and roles, and edit needs view', () => {
      const fieldPermissions = [
        permission('a', 'view', 'super_admins'),
        permission('b', 'view', 'user', 'me'),
        permission('c', 'view', 'role', 'sales'),
        permission('d', 'edit', 'super_admins'),
        permission('e', 'view', 'everyone'),
      ];
      const fields = access({ roles, fieldPermissions }).fields('contacts');
      expect(['a', 'b', 'c', 'd', 'e'].map((p) => fields.canView(p))).toEqual([
        false,
        true,
        true,
        true,
        true,
      ]);
      expect(['a', 'b', 'd', 'e'].map((p) => fields.canEdit(p))).toEqual([
        false,
        true,
        false,
        true,
      ]);
      const admin = access({ superAdmin: true, fieldPermissions }).fields('contacts');
      expect(admin.canView('a') && admin.canEdit('d')).toBe(true);
    });

    it('puts hidden fields into the CASL rules for UIs', () => {
      const { ability } = access({
        roles,
        fieldPermissions: [permission('salary', 'view', 'super_admins')],
      });
      expect(ability.can('read', mine, 'salary')).toBe(false);
      expect(ability.can('read', mine, 'email')).toBe(true);
      expect(ability.can('read', mine)).toBe(true);
      expect(ability.can('update', mine, 'salary')).toBe(false);
    });
  });
});
