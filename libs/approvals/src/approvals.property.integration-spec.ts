import * as fc from 'fast-check';
import { readAuditEvents } from '@custos/audit/testing';
import { CustosError, newId, type Actor } from '@custos/core';
import { testDatabaseKinds } from '@custos/core/testing';
import type { ApprovalState } from './approval.types';
import { Approvals } from './approvals.service';
import { createApprovalsTestApp, personActor, type ApprovalsTestApp } from './testing';

const HOUR = 3_600_000;
/** Who acts: the requester (an approver too), two approvers, a member who may not decide, an approver of another account, and an API key of an approver. */
const WHO = ['requester', 'approver', 'approver2', 'member', 'outsider', 'apiKey'] as const;
type Who = (typeof WHO)[number];

type Operation =
  | { op: 'approve' | 'revoke'; who: Who }
  | { op: 'reject'; who: Who; reason: string }
  | { op: 'advance'; ms: number }
  | { op: 'expire' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({
    op: fc.constantFrom('approve' as const, 'revoke' as const),
    who: fc.constantFrom(...WHO),
  }),
  fc.record({
    op: fc.constant('reject' as const),
    who: fc.constantFrom(...WHO),
    reason: fc.constantFrom('', '  ', 'not now'),
  }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: HOUR }) }),
  fc.constant({ op: 'expire' as const }),
);

/** The rules, stated once more as a plain state machine: what each operation must do. */
class Model {
  state: ApprovalState = 'pending';
  elapsed = 0;

  /** The error code the operation must fail with, or `null` when it must succeed. */
  apply(operation: Operation): string | null {
    switch (operation.op) {
      case 'advance':
        this.elapsed += operation.ms;
        return null;
      case 'expire':
        if (this.state === 'pending' && this.elapsed >= HOUR) {
          this.state = 'expired';
        }
        return null;
      case 'reject':
        if (operation.reason.trim() === '') {
          return 'approvals.reason_required';
        }
        return this.decide(operation.who, 'rejected');
      case 'approve':
        return this.decide(operation.who, 'approved');
      case 'revoke':
        return (
          this.common(operation.who) ??
          (operation.who === 'member' ? 'approvals.not_found' : null) ??
          (operation.who === 'requester' ? this.transition('revoked') : 'approvals.not_requester')
        );
    }
  }

  private decide(who: Who, to: ApprovalState): string | null {
    const refused =
      this.common(who) ??
      (who === 'member' ? 'approvals.not_found' : null) ??
      (who === 'requester' ? 'approvals.own_request' : null);
    return refused ?? this.transition(to);
  }

  private common(who: Who): string | null {
    if (who === 'apiKey') {
      return 'approvals.person_only';
    }
    return who === 'outsider' ? 'approvals.not_found' : null;
  }

  private transition(to: ApprovalState): string | null {
    if (this.state !== 'pending') {
      return 'approvals.already_decided';
    }
    if (this.elapsed >= HOUR) {
      return 'approvals.expired';
    }
    this.state = to;
    return null;
  }
}

describe.each(testDatabaseKinds())(`${Approvals.name} under random operations on %s`, (kind) => {
  let app: ApprovalsTestApp;

  beforeAll(async () => {
    app = await createApprovalsTestApp(kind);
  });

  afterAll(() => app?.close());

  it('reaches only the states legal transitions reach, settles and audits each transition once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 10 }), async (operations) => {
        const accountId = newId();
        const outsider = personActor(newId());
        const approver = personActor(accountId);
        const actors: Record<Who, Actor> = {
          requester: personActor(accountId),
          approver,
          approver2: personActor(accountId),
          member: personActor(accountId),
          outsider,
          apiKey: { ...approver, kind: 'private_app', id: newId() },
        };
        app.kind.allow(accountId, actors.requester.id, actors.approver.id, actors.approver2.id);
        app.kind.allow(outsider.accountId, outsider.id);
        const request = await app.as(actors.requester, () =>
          app.sut.request({
            kind: 'test',
            subjectId: newId(),
            notify: [actors.approver.id],
            expiresAt: new Date(app.clock.now().getTime() + HOUR),
          }),
        );
        const model = new Model();
        for (const operation of operations) {
          const expected = model.apply(operation);
          const actual = await perform(app, actors, request.id, operation).then(
            () => null,
            (error: unknown) => {
              if (!(error instanceof CustosError)) {
                throw error;
              }
              return error.code;
            },
          );
          expect({ operation, code: actual }).toEqual({ operation, code: expected });
          const stored = await app.as(actors.requester, () => app.sut.find(request.id));
          expect({ operation, state: stored.state }).toEqual({ operation, state: model.state });
        }
        const final = model.state;
        expect(app.kind.settledCount(request.id)).toBe(final === 'pending' ? 0 : 1);
        const actions = (await readAuditEvents(app.dataSource, accountId)).map((e) => e.action);
        expect(actions).toEqual(
          final === 'pending'
            ? ['approval.requested']
            : ['approval.requested', `approval.${final}`],
        );
      }),
      { numRuns: kind === 'sqlite' ? 60 : 30 },
    );
  });
});

function perform(
  app: ApprovalsTestApp,
  actors: Record<Who, Actor>,
  id: string,
  operation: Operation,
): Promise<unknown> {
  switch (operation.op) {
    case 'advance':
      app.clock.advance(operation.ms);
      return Promise.resolve();
    case 'expire':
      return app.sut.expireDue();
    case 'approve':
      return app.as(actors[operation.who], () => app.sut.approve(id));
    case 'reject':
      return app.as(actors[operation.who], () => app.sut.reject(id, operation.reason));
    case 'revoke':
      return app.as(actors[operation.who], () => app.sut.revoke(id));
  }
}
