import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RequestContext, TransactionHost, type Actor } from '@custos/core';
import { InvoicesAppModule } from '../../examples/usage';
import { RoleService } from '../roles/role.service';
import { AccessService } from './access.service';

const actorOf = (user: string): Actor => ({
  kind: 'user',
  id: user,
  userId: user,
  accountId: 'acme',
  label: user,
  superAdmin: user === 'boss',
});
const boss = actorOf('boss');
const ann = actorOf('ann');

describe(`${AccessService.name} cache`, () => {
  let app: INestApplication;
  let access: AccessService;
  let roles: RoleService;
  let transactions: TransactionHost;
  let context: RequestContext;

  beforeEach(async () => {
    app = await (
      await Test.createTestingModule({ imports: [InvoicesAppModule] }).compile()
    )
      .createNestApplication({ logger: false })
      .init();
    access = app.get(AccessService);
    roles = app.get(RoleService);
    transactions = app.get(TransactionHost);
    context = app.get(RequestContext);
  });

  afterEach(async () => {
    await app.close();
  });

  const mayExport = async () => (await access.accessFor(ann)).taskPrivileges.has('export');

  /** Gives ann a new role holding `export`, as the boss. */
  const grantExport = async () => {
    const role = await roles.create({
      name: 'Exporter',
      privileges: [],
      taskPrivileges: ['export'],
    });
    await roles.assign(role.id, { principalType: 'user', principalId: 'ann' });
  };

  it('never keeps an access built in a transaction that rolled back', async () => {
    await context.runAs(boss, async () => {
      expect(await mayExport()).toBe(false);
      const before = await access.currentVersion('acme');
      await expect(
        transactions.run(async () => {
          await grantExport();
          expect(await mayExport()).toBe(true);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      // The same version number again, for another change that commits.
      await transactions.run(() => access.bump('acme'));
      expect(await access.currentVersion('acme')).toBeGreaterThan(before);
      expect(await mayExport()).toBe(false);
    });
  });

  it('uses the version read at sign-in, until the request itself changes rights', async () => {
    await context.runAs(boss, async () => {
      context.rememberAccessVersion('acme', await access.currentVersion('acme'));
      expect(await mayExport()).toBe(false);
      await grantExport();
      expect(context.rememberedAccessVersion('acme')).toBeUndefined();
      expect(await mayExport()).toBe(true);
    });
  });

  it('serves a remembered version without reading it: another account stays unaffected', async () => {
    await context.runAs(boss, async () => {
      context.rememberAccessVersion('acme', 41);
      expect(await access.currentVersion('acme')).toBe(41);
      expect(await access.currentVersion('elsewhere')).toBe(0);
      // Inside a transaction the transaction's own is read: it may have raised it.
      await transactions.run(async () => {
        expect(await access.currentVersion('acme')).toBe(0);
      });
    });
  });
});
