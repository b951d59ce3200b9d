import type { Test } from 'supertest';
import { testDatabaseKinds } from '@custos/core/testing';
import { auditEvents, auditHead, expectProblem, newAccount, walkPages } from './support/api';
import { newUser, type CreatedUser } from './support/factories';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  startTestServer,
  type TestServer,
} from './support/test-server';

interface UnitView {
  id: string;
  name: string;
  parentId: string | null;
}

const UNKNOWN_ID = '0193a6c4-7f1e-7c3a-9d1e-0000000000ff';

let nameCounter = 0;
const uniqueName = (prefix: string) => `${prefix} ${(nameCounter += 1)}`;

describe.each(testDatabaseKinds())('business units API on %s', (kind) => {
  let server: TestServer;
  let adminToken: string;
  let root: UnitView;
  let other: { accountId: string; token: string };
  let member: CreatedUser;

  const http = () => server.http();
  const asAdmin = (req: Test): Test => req.auth(adminToken, { type: 'bearer' });
  const createUnit = async (token: string, parentId?: string): Promise<UnitView> => {
    const response = await http()
      .post('/api/v1/business-units')
      .auth(token, { type: 'bearer' })
      .send({ name: uniqueName('Unit'), parentId });
    expect(response.status).toBe(201);
    return response.body as UnitView;
  };
  const getUnit = async (id: string): Promise<UnitView> =>
    (await asAdmin(http().get(`/api/v1/business-units/${id}`))).body as UnitView;

  beforeAll(async () => {
    server = await startTestServer(kind);
    adminToken = await server.login();
    const units = await asAdmin(http().get('/api/v1/business-units'));
    root = (units.body.results as UnitView[]).find((u) => u.parentId === null)!;
    member = await newUser(server, adminToken);
    other = await newAccount(server, adminToken, `Other ${kind}`, {
      email: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
  });

  afterAll(async () => {
    await server.close();
  });

  describe('list and get', () => {
    it('starts with one root unit named after the account', async () => {
      const response = await asAdmin(http().get('/api/v1/business-units'));
      expect(response.status).toBe(200);
      expect((response.body.results as UnitView[]).filter((u) => u.parentId === null)).toEqual([
        expect.objectContaining({ id: root.id, name: 'Demo' }),
      ]);
    });

    it('walks every page without duplicates or omissions', async () => {
      for (let i = 0; i < 3; i += 1) {
        await createUnit(adminToken);
      }
      const all = await asAdmin(http().get('/api/v1/business-units')).query({ limit: 100 });
      const { pages } = await walkPages<UnitView>((after) =>
        asAdmin(http().get('/api/v1/business-units')).query({
          limit: 2,
          ...(after ? { after } : {}),
        }),
      );
      expect(pages.length).toBeGreaterThan(1);
      expect(pages.flat().map((u) => u.id)).toEqual(
        (all.body.results as UnitView[]).map((u) => u.id),
      );
    });

    it('never lists the units of another account', async () => {
      const foreign = await createUnit(other.token);
      const all = await asAdmin(http().get('/api/v1/business-units')).query({ limit: 100 });
      expect((all.body.results as UnitView[]).map((u) => u.id)).not.toContain(foreign.id);
    });

    it('gets a unit', async () => {
      const unit = await createUnit(adminToken);
      const response = await asAdmin(http().get(`/api/v1/business-units/${unit.id}`));
      expect(response.status).toBe(200);
      expect(response.body).toEqual(unit);
    });

    it('answers an unknown id with 404', async () => {
      expectProblem(await asAdmin(http().get(`/api/v1/business-units/${UNKNOWN_ID}`)), 404, {
        code: 'identity.business_unit_not_found',
      });
    });

    it('answers a non-UUID id with 422 naming businessUnitId', async () => {
      expectProblem(await asAdmin(http().get('/api/v1/business-units/root')), 422, {
        field: 'businessUnitId',
      });
    });
  });

  describe('create', () => {
    it('creates a unit under the root by default and audits business_unit.created', async () => {
      const response = await asAdmin(http().post('/api/v1/business-units')).send({
        name: 'EMEA Sales',
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ name: 'EMEA Sales', parentId: root.id });
      const events = await auditEvents(server, adminToken, {
        targetId: response.body.id as string,
      });
      expect(events).toEqual([
        expect.objectContaining({
          action: 'business_unit.created',
          targetType: 'business_unit',
          metadata: { after: { name: 'EMEA Sales', parentId: root.id } },
        }),
      ]);
    });

    it('creates a unit under a given parent', async () => {
      const parent = await createUnit(adminToken);
      const child = await createUnit(adminToken, parent.id);
      expect(child.parentId).toBe(parent.id);
    });

    it('refuses an unknown parent with 422 naming parentId, writing nothing', async () => {
      const head = await auditHead(server, adminToken);
      const response = await asAdmin(http().post('/api/v1/business-units')).send({
        name: uniqueName('Orphan'),
        parentId: UNKNOWN_ID,
      });
      expectProblem(response, 422, { code: 'identity.business_unit_not_found', field: 'parentId' });
      expect(await auditHead(server, adminToken)).toBe(head);
    });

    it("refuses another account's unit as parent with 422 naming parentId", async () => {
      const foreign = await createUnit(other.token);
      const response = await asAdmin(http().post('/api/v1/business-units')).send({
        name: uniqueName('Smuggled'),
        parentId: foreign.id,
      });
      expectProblem(response, 422, { field: 'parentId' });
    });

    it('refuses a duplicate name with 409 naming name, writing nothing', async () => {
      const existing = await createUnit(adminToken);
      const head = await auditHead(server, adminToken);
      const response = await asAdmin(http().post('/api/v1/business-units')).send({
        name: existing.name,
      });
      expectProblem(response, 409, { code: 'identity.duplicate_name', field: 'name' });
      expect(await auditHead(server, adminToken)).toBe(head);
    });

    it('refuses a non-UUID parentId with 422 naming parentId', async () => {
      const response = await asAdmin(http().post('/api/v1/business-units')).send({
        name: uniqueName('Bad'),
        parentId: 'root',
      });
      expectProblem(response, 422, { code: 'core.validation_failed', field: 'parentId' });
    });

    it.each(['accountId', 'id'])(
      'refuses mass assignment of %s with 422 naming it',
      async (property) => {
        const head = await auditHead(server, adminToken);
        const response = await asAdmin(http().post('/api/v1/business-units')).send({
          name: uniqueName('Mass'),
          [property]: UNKNOWN_ID,
        });
        expectProblem(response, 422, { code: 'core.validation_failed', field: property });
        expect(await auditHead(server, adminToken)).toBe(head);
      },
    );
  });

  describe('update', () => {
    it('renames a unit and audits business_unit.updated with only the changed fields', async () => {
      const unit = await createUnit(adminToken);
      const response = await asAdmin(http().patch(`/api/v1/business-units/${unit.id}`)).send({
        name: `${unit.name} renamed`,
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: unit.id,
        name: `${unit.name} renamed`,
        parentId: root.id,
      });
      const [event] = await auditEvents(server, adminToken, {
        targetId: unit.id,
        action: 'business_unit.updated',
      });
      expect(event.metadata).toEqual({
        before: { name: unit.name },
        after: { name: `${unit.name} renamed` },
      });
    });

    it('moves a unit with its subtree under another parent and audits before/after', async () => {
      const unit = await createUnit(adminToken);
      const child = await createUnit(adminToken, unit.id);
      const target = await createUnit(adminToken);
      const response = await asAdmin(http().patch(`/api/v1/business-units/${unit.id}`)).send({
        parentId: target.id,
      });
      expect(response.status).toBe(200);
      expect(response.body.parentId).toBe(target.id);
      expect((await getUnit(child.id)).parentId).toBe(unit.id);
      const [event] = await auditEvents(server, adminToken, {
        targetId: unit.id,
        action: 'business_unit.updated',
      });
      expect(event.metadata).toEqual({
        before: { parentId: root.id },
        after: { parentId: target.id },
      });
    });

    it('refuses moving a unit under itself with 422 naming parentId, writing nothing', async () => {
      const unit = await createUnit(adminToken);
      const head = await auditHead(server, adminToken);
      const response = await asAdmin(http().patch(`/api/v1/business-units/${unit.id}`)).send({
        parentId: unit.id,
      });
      expectProblem(response, 422, { code: 'identity.business_unit_cycle', field: 'parentId' });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect((await getUnit(unit.id)).parentId).toBe(root.id);
    });

    it('refuses moving a unit under its grandchild with 422 naming parentId, writing nothing', async () => {
      const unit = await createUnit(adminToken);
      const child = await createUnit(adminToken, unit.id);
      const grandchild = await createUnit(adminToken, child.id);
      const head = await auditHead(server, adminToken);
      const response = await asAdmin(http().patch(`/api/v1/business-units/${unit.id}`)).send({
        parentId: grandchild.id,
      });
      expectProblem(response, 422, { code: 'identity.business_unit_cycle', field: 'parentId' });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect((await getUnit(unit.id)).parentId).toBe(root.id);
    });

    it('refuses moving the root with 409', async () => {
      const unit = await createUnit(adminToken);
      const response = await asAdmin(http().patch(`/api/v1/business-units/${root.id}`)).send({
        parentId: unit.id,
      });
      expectProblem(response, 409, { code: 'identity.root_business_unit' });
      expect((await getUnit(root.id)).parentId).toBeNull();
    });

    it('refuses an unknown parent with 422 naming parentId', async () => {
      const unit = await createUnit(adminToken);
      const response = await asAdmin(http().patch(`/api/v1/business-units/${unit.id}`)).send({
        parentId: UNKNOWN_ID,
      });
      expectProblem(response, 422, { field: 'parentId' });
    });

    it('refuses the name of another unit with 409 naming name, writing nothing', async () => {
      const first = await createUnit(adminToken);
      const second = await createUnit(adminToken);
      const head = await auditHead(server, adminToken);
      const response = await asAdmin(http().patch(`/api/v1/business-units/${second.id}`)).send({
        name: first.name,
      });
      expectProblem(response, 409, { code: 'identity.duplicate_name', field: 'name' });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect((await getUnit(second.id)).name).toBe(second.name);
    });

    it('answers an unknown id with 404', async () => {
      const response = await asAdmin(http().patch(`/api/v1/business-units/${UNKNOWN_ID}`)).send({
        name: uniqueName('Ghost'),
      });
      expectProblem(response, 404, { code: 'identity.business_unit_not_found' });
    });
  });

  describe('remove', () => {
    it('deletes a leaf unit and audits business_unit.deleted', async () => {
      const unit = await createUnit(adminToken);
      const response = await asAdmin(http().delete(`/api/v1/business-units/${unit.id}`));
      expect(response.status).toBe(204);
      expectProblem(await asAdmin(http().get(`/api/v1/business-units/${unit.id}`)), 404);
      const [event] = await auditEvents(server, adminToken, {
        targetId: unit.id,
        action: 'business_unit.deleted',
      });
      expect(event.metadata).toEqual({ before: { name: unit.name, parentId: root.id } });
    });

    it('refuses deleting the root with 409, writing nothing', async () => {
      const head = await auditHead(server, adminToken);
      expectProblem(await asAdmin(http().delete(`/api/v1/business-units/${root.id}`)), 409, {
        code: 'identity.root_business_unit',
      });
      expect(await auditHead(server, adminToken)).toBe(head);
    });

    it('refuses deleting a unit with child units with 409, writing nothing', async () => {
      const unit = await createUnit(adminToken);
      await createUnit(adminToken, unit.id);
      const head = await auditHead(server, adminToken);
      expectProblem(await asAdmin(http().delete(`/api/v1/business-units/${unit.id}`)), 409, {
        code: 'identity.business_unit_in_use',
      });
      expect(await auditHead(server, adminToken)).toBe(head);
      expect((await getUnit(unit.id)).id).toBe(unit.id);
    });

    it('refuses deleting a unit with members with 409, writing nothing', async () => {
      const unit = await createUnit(adminToken);
      await newUser(server, adminToken, { businessUnitId: unit.id });
      const head = await auditHead(server, adminToken);
      expectProblem(await asAdmin(http().delete(`/api/v1/business-units/${unit.id}`)), 409, {
        code: 'identity.business_unit_in_use',
      });
      expect(await auditHead(server, adminToken)).toBe(head);
    });

    it('answers an unknown id with 404', async () => {
      expectProblem(await asAdmin(http().delete(`/api/v1/business-units/${UNKNOWN_ID}`)), 404, {
        code: 'identity.business_unit_not_found',
      });
    });
  });

  describe('concurrent changes', () => {
    const ROUNDS = 5;

    it('never let two opposite moves form a cycle', async () => {
      for (let i = 0; i < ROUNDS; i += 1) {
        const a = await createUnit(adminToken);
        const b = await createUnit(adminToken);
        const responses = await Promise.all([
          asAdmin(http().patch(`/api/v1/business-units/${a.id}`)).send({ parentId: b.id }),
          asAdmin(http().patch(`/api/v1/business-units/${b.id}`)).send({ parentId: a.id }),
        ]);
        expect(responses.map((r) => r.status).sort()).toEqual([200, 422]);
        const [movedA, movedB] = [await getUnit(a.id), await getUnit(b.id)];
        expect(movedA.parentId === b.id && movedB.parentId === a.id).toBe(false);
      }
    });

    it('never leave a member in a unit deleted at the same time', async () => {
      for (let i = 0; i < ROUNDS; i += 1) {
        const unit = await createUnit(adminToken);
        const [removed, added] = await Promise.all([
          asAdmin(http().delete(`/api/v1/business-units/${unit.id}`)),
          asAdmin(http().post('/api/v1/users')).send({
            email: `race.${kind}.${i}.${unit.id}@example.com`,
            displayName: 'Racer',
            businessUnitId: unit.id,
          }),
        ]);
        expect([removed.status, added.status]).not.toEqual([204, 201]);
        if (added.status === 201) {
          expect((await asAdmin(http().get(`/api/v1/business-units/${unit.id}`))).status).toBe(200);
        }
      }
    });

    it('never leave a child under a unit deleted at the same time', async () => {
      for (let i = 0; i < ROUNDS; i += 1) {
        const unit = await createUnit(adminToken);
        const [removed, added] = await Promise.all([
          asAdmin(http().delete(`/api/v1/business-units/${unit.id}`)),
          asAdmin(http().post('/api/v1/business-units')).send({
            name: uniqueName('Racing child'),
            parentId: unit.id,
          }),
        ]);
        expect([removed.status, added.status]).not.toEqual([204, 201]);
      }
    });
  });

  describe("another account's units", () => {
    let foreign: UnitView;

    beforeAll(async () => {
      foreign = await createUnit(other.token);
    });

    it('answer get with 404', async () => {
      expectProblem(await asAdmin(http().get(`/api/v1/business-units/${foreign.id}`)), 404, {
        code: 'identity.business_unit_not_found',
      });
    });

    it('answer update with 404 and stay unchanged', async () => {
      const response = await asAdmin(http().patch(`/api/v1/business-units/${foreign.id}`)).send({
        name: uniqueName('Hijacked'),
      });
      expectProblem(response, 404, { code: 'identity.business_unit_not_found' });
      const there = await http()
        .get(`/api/v1/business-units/${foreign.id}`)
        .auth(other.token, { type: 'bearer' });
      expect(there.body.name).toBe(foreign.name);
    });

    it('answer remove with 404 and stay', async () => {
      expectProblem(await asAdmin(http().delete(`/api/v1/business-units/${foreign.id}`)), 404, {
        code: 'identity.business_unit_not_found',
      });
      const there = await http()
        .get(`/api/v1/business-units/${foreign.id}`)
        .auth(other.token, { type: 'bearer' });
      expect(there.status).toBe(200);
    });

    it('cannot be the new parent of a unit: 422 naming parentId', async () => {
      const unit = await createUnit(adminToken);
      const response = await asAdmin(http().patch(`/api/v1/business-units/${unit.id}`)).send({
        parentId: foreign.id,
      });
      expectProblem(response, 422, { field: 'parentId' });
      expect((await getUnit(unit.id)).parentId).toBe(root.id);
    });
  });

  describe('members without manage_business_units', () => {
    it('can list and get units', async () => {
      const bearer = { type: 'bearer' } as const;
      expect((await http().get('/api/v1/business-units').auth(member.token, bearer)).status).toBe(
        200,
      );
      expect(
        (await http().get(`/api/v1/business-units/${root.id}`).auth(member.token, bearer)).status,
      ).toBe(200);
    });

    it.each<[string, (unit: UnitView) => Test]>([
      [
        'create',
        () =>
          http()
            .post('/api/v1/business-units')
            .send({ name: uniqueName('Refused') }),
      ],
      [
        'update',
        (unit) =>
          http()
            .patch(`/api/v1/business-units/${unit.id}`)
            .send({ name: uniqueName('Refused') }),
      ],
      ['remove', (unit) => http().delete(`/api/v1/business-units/${unit.id}`)],
    ])('get 403 on %s, and nothing is written', async (_label, send) => {
      const unit = await createUnit(adminToken);
      const head = await auditHead(server, adminToken);
      const response = await send(unit).auth(member.token, { type: 'bearer' });
      expectProblem(response, 403, { code: 'core.privilege_required' });
      expect(response.body.privilege).toBe('manage_business_units');
      expect(await auditHead(server, adminToken)).toBe(head);
      expect(await getUnit(unit.id)).toEqual(unit);
    });
  });
});
