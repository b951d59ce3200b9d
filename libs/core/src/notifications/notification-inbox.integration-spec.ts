import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CoreModule } from '../core.module';
import type { Actor } from '../context/actor';
import { RequestContext } from '../context/request-context';
import { TransactionHost } from '../database/transaction-host';
import { CustosError } from '../errors/custos-error';
import {
  connectionOptionsOf,
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '../testing/test-database';
import { NotificationInbox, type NotificationKind } from './notification-inbox';
import { NOTIFICATION_ENTITIES, type Notification } from './notification.entity';

const ACCOUNT = '0193a6c4-7f1e-7c3a-9d1e-00000000c001';
const ADA = '0193a6c4-7f1e-7c3a-9d1e-00000000c002';
const BOB = '0193a6c4-7f1e-7c3a-9d1e-00000000c003';
const THING = '0193a6c4-7f1e-7c3a-9d1e-00000000c004';

function person(userId: string): Actor {
  return { kind: 'user', id: userId, accountId: ACCOUNT, userId, label: userId, superAdmin: false };
}

/** A kind that renders its reference and, as a stand-in for "as the reader may see it", the reader. */
const thingChanged: NotificationKind<{ thingId: string; shownTo: string }> = {
  kind: 'thing_changed',
  async render(notifications: readonly Notification[]) {
    return new Map(
      notifications.map((n) => [n.id, { thingId: n.refs.thingId, shownTo: n.recipientUserId }]),
    );
  },
};

describe.each(testDatabaseKinds())(`${NotificationInbox.name} on %s`, (kind) => {
  let database: TestDatabase;
  let sut: NotificationInbox;
  let context: RequestContext;
  let transactions: TransactionHost;
  let close: () => Promise<void>;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const moduleRef = await Test.createTestingModule({
      imports: [
        CoreModule.forRoot({}),
        TypeOrmModule.forRoot({
          ...connectionOptionsOf(database),
          entities: NOTIFICATION_ENTITIES,
          synchronize: true,
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    sut = app.get(NotificationInbox);
    context = app.get(RequestContext);
    transactions = app.get(TransactionHost);
    sut.register(thingChanged);
    close = async () => {
      await app.close();
      await database.drop();
    };
  });

  afterAll(async () => close());

  const listAs = (userId: string) => context.runAs(person(userId), () => sut.list({}));

  it('sends within the transaction of the change: a rolled-back change sends nothing', async () => {
    await expect(
      transactions.run(async () => {
        await sut.send({
          accountId: ACCOUNT,
          recipientUserIds: [BOB],
          kind: 'thing_changed',
          refs: { thingId: THING },
        });
        throw new Error('the change fails');
      }),
    ).rejects.toThrow('the change fails');
    await expect(listAs(BOB)).resolves.toEqual({ results: [], paging: {} });
  });

  it("lists only the reader's own notifications, rendered by their kind, and marks them read once", async () => {
    await transactions.run(() =>
      sut.send({
        accountId: ACCOUNT,
        recipientUserIds: [ADA, ADA],
        kind: 'thing_changed',
        topicId: THING,
        refs: { thingId: THING },
      }),
    );
    const { results } = await listAs(ADA);
    expect(results).toEqual([
      expect.objectContaining({
        kind: 'thing_changed',
        thingId: THING,
        shownTo: ADA,
        readAt: null,
      }),
    ]);
    const id = results[0].id;
    await expect(context.runAs(person(BOB), () => sut.markRead(id))).rejects.toMatchObject({
      kind: 'not_found',
    } satisfies Partial<CustosError>);
    await context.runAs(person(ADA), () => sut.markRead(id));
    const [read] = (await listAs(ADA)).results;
    expect(read.readAt).not.toBeNull();
    await context.runAs(person(ADA), () => sut.markRead(id));
    expect((await listAs(ADA)).results[0].readAt).toBe(read.readAt);
  });

  it('forgets every notification about a removed topic', async () => {
    await transactions.run(() => sut.forgetTopic(ACCOUNT, 'thing_changed', THING));
    await expect(listAs(ADA)).resolves.toEqual({ results: [], paging: {} });
  });

  it('refuses an unregistered kind, a reference that is a value, and a kind registered twice', async () => {
    await expect(
      sut.send({ accountId: ACCOUNT, recipientUserIds: [ADA], kind: 'nope', refs: {} }),
    ).rejects.toThrow('No notification kind "nope"');
    await expect(
      sut.send({
        accountId: ACCOUNT,
        recipientUserIds: [ADA],
        kind: 'thing_changed',
        refs: { email: 'ada@example.com' },
      }),
    ).rejects.toThrow('"email" is not an id');
    expect(() => sut.register(thingChanged)).toThrow('registered twice');
  });

  it('gives private apps and jobs an empty inbox', async () => {
    const app: Actor = { ...person(ADA), kind: 'private_app', id: 'key', userId: ADA };
    await expect(context.runAs(app, () => sut.list({}))).resolves.toEqual({
      results: [],
      paging: {},
    });
  });
});
