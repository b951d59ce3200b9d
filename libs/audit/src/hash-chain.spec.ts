import { createHash, createSecretKey } from 'node:crypto';
import fc from 'fast-check';
import {
  ChainWalker,
  GENESIS_HASH,
  canonicalJson,
  hashEvent,
  isHeadSignatureValid,
  signHead,
  type ChainedEvent,
  type ChainedFields,
} from './hash-chain';

const key = createSecretKey(Buffer.alloc(32, 7));

function chain(length: number, accountId = 'acc-1'): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const fields: ChainedFields = {
      accountId,
      seq,
      prevHash,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
      actorKind: 'user',
      actorId: 'u-1',
      actorLabel: 'ada@example.com',
      action: 'contact.updated',
      targetType: 'contact',
      targetId: `c-${seq}`,
      metadataJson: canonicalJson({ after: { n: seq } }),
      requestId: null,
    };
    const event = { ...fields, hash: hashEvent(fields) };
    events.push(event);
    prevHash = event.hash;
  }
  return events;
}

function walk(
  events: readonly ChainedEvent[],
  head: { seq: number; hash: string; signature?: string } | null,
) {
  const walker = new ChainWalker();
  for (const event of events) {
    const broken = walker.next(event);
    if (broken) {
      return broken;
    }
  }
  const signed = head && {
    accountId: 'acc-1',
    ...head,
    signature: head.signature ?? signHead(key, 'acc-1', head.seq, head.hash),
  };
  return walker.end(key, signed);
}

describe(canonicalJson.name, () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives equal text for objects that differ only in key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
      }),
    );
  });

  it('round-trips through JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
    );
  });
});

describe(hashEvent.name, () => {
  it('is SHA-256 over the canonical JSON of the fields', () => {
    const [event] = chain(1);
    const { hash, metadataJson, ...rest } = event;
    const expected = createHash('sha256')
      .update(canonicalJson({ ...rest, metadata: JSON.parse(metadataJson) as unknown }))
      .digest('hex');
    expect(hash).toBe(expected);
  });

  it('changes when any covered field changes', () => {
    const [event] = chain(1);
    const variants: Partial<ChainedFields>[] = [
      { accountId: 'acc-2' },
      { seq: 2 },
      { prevHash: '1'.repeat(64) },
      { occurredAt: '2026-01-01T00:00:02.000Z' },
      { actorKind: 'system' },
      { actorId: 'u-2' },
      { actorLabel: 'eve@example.com' },
      { action: 'contact.deleted' },
      { targetType: null },
      { targetId: 'c-9' },
      { metadataJson: '{"after":{"n":2}}' },
      { requestId: 'r-1' },
    ];
    for (const variant of variants) {
      expect(hashEvent({ ...event, ...variant })).not.toBe(event.hash);
    }
  });
});

describe(isHeadSignatureValid.name, () => {
  it('accepts a head signed with the key', () => {
    const head = { accountId: 'acc-1', seq: 3, hash: 'ab'.repeat(32) };
    expect(
      isHeadSignatureValid(key, { ...head, signature: signHead(key, 'acc-1', 3, head.hash) }),
    ).toBe(true);
  });

  it('refuses a head whose seq was moved', () => {
    const signature = signHead(key, 'acc-1', 3, 'ab'.repeat(32));
    expect(
      isHeadSignatureValid(key, { accountId: 'acc-1', seq: 2, hash: 'ab'.repeat(32), signature }),
    ).toBe(false);
  });

  it('refuses a head signed with another key', () => {
    const other = createSecretKey(Buffer.alloc(32, 8));
    const signature = signHead(other, 'acc-1', 3, 'ab'.repeat(32));
    expect(
      isHeadSignatureValid(key, { accountId: 'acc-1', seq: 3, hash: 'ab'.repeat(32), signature }),
    ).toBe(false);
  });

  it('refuses a malformed signature', () => {
    expect(
      isHeadSignatureValid(key, {
        accountId: 'acc-1',
        seq: 3,
        hash: 'ab'.repeat(32),
        signature: 'zz',
      }),
    ).toBe(false);
  });
});

describe(ChainWalker.name, () => {
  it('accepts an intact chain and its head', () => {
    const events = chain(4);
    expect(walk(events, { seq: 4, hash: events[3].hash })).toBeNull();
  });

  it('reports a chain without a head as a missing head, even with no events', () => {
    expect(walk([], null)).toEqual({ reason: 'missing_head', seq: 1 });
  });

  it('reports events without a head as a missing head', () => {
    expect(walk(chain(2), null)).toEqual({ reason: 'missing_head', seq: 1 });
  });

  it('reports an edited event as a hash mismatch at its seq', () => {
    const events = chain(4);
    events[1] = { ...events[1], metadataJson: '{"after":{"n":99}}' };
    expect(walk(events, { seq: 4, hash: events[3].hash })).toEqual({
      reason: 'hash_mismatch',
      seq: 2,
    });
  });

  it('reports a missing event as a broken link at the missing seq', () => {
    const events = chain(4);
    events.splice(2, 1);
    expect(walk(events, { seq: 4, hash: events[2].hash })).toEqual({
      reason: 'broken_link',
      seq: 3,
    });
  });

  it('reports a cut-off tail as a head mismatch at the first missing seq', () => {
    const events = chain(4);
    expect(walk(events.slice(0, 2), { seq: 4, hash: events[3].hash })).toEqual({
      reason: 'head_mismatch',
      seq: 3,
    });
  });

  it('reports a head pointing at another event of the same seq as a head mismatch', () => {
    const events = chain(4);
    expect(walk(events, { seq: 4, hash: '1'.repeat(64) })).toEqual({
      reason: 'head_mismatch',
      seq: 4,
    });
  });

  it('reports a head with a wrong signature', () => {
    const events = chain(2);
    expect(walk(events, { seq: 2, hash: events[1].hash, signature: '0'.repeat(64) })).toEqual({
      reason: 'bad_signature',
      seq: 3,
    });
  });
});
