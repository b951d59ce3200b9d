import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { RejectApprovalDto, toApprovalDto } from './approval.dto';

describe(toApprovalDto.name, () => {
  it('shows times as ISO-8601 and keeps the rest as it is', () => {
    const view = {
      id: 'a1',
      accountId: 'acme',
      kind: 'export',
      subjectId: 'e1',
      requesterUserId: 'ann',
      state: 'rejected' as const,
      notifiedUserIds: ['eve'],
      message: 'please',
      decidedByUserId: 'eve',
      decidedAt: new Date('2026-01-02T00:00:00.000Z'),
      reason: 'no',
      expiresAt: new Date('2026-01-08T00:00:00.000Z'),
      createdAt: new Date('2026-01-01T00:00:00.000Z'),
    };
    expect(toApprovalDto(view)).toEqual({
      id: 'a1',
      kind: 'export',
      subjectId: 'e1',
      requesterUserId: 'ann',
      state: 'rejected',
      notifiedUserIds: ['eve'],
      message: 'please',
      decidedByUserId: 'eve',
      decidedAt: '2026-01-02T00:00:00.000Z',
      reason: 'no',
      expiresAt: '2026-01-08T00:00:00.000Z',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
  });
});

describe(RejectApprovalDto.name, () => {
  it.each([[{}], [{ reason: '' }], [{ reason: 'x'.repeat(1001) }], [{ reason: 7 }]])(
    'refuses %j, naming reason',
    async (body) => {
      const errors = await validate(plainToInstance(RejectApprovalDto, body));
      expect(errors.map((error) => error.property)).toEqual(['reason']);
    },
  );
});
