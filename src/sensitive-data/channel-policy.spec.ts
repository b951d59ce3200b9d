import fc from 'fast-check';
import {
  CLOSED_CHANNELS,
  channelRule,
  sensitiveAllowed,
  type SensitiveDataChannel,
} from './channel-policy';
import { INTEGRATION_NAME_PATTERN } from './sensitive-data-integration.entity';

const integrationName = fc.stringMatching(INTEGRATION_NAME_PATTERN);
const enabledSets = fc
  .uniqueArray(integrationName, { maxLength: 8 })
  .map((names) => new Set(names));

describe(channelRule.name, () => {
  it.each(CLOSED_CHANNELS)(
    'never lets sensitive properties into %s, whatever is enabled',
    (channel) => {
      fc.assert(
        fc.property(enabledSets, (enabled) => {
          expect(sensitiveAllowed(channelRule(channel), enabled)).toBe(false);
        }),
      );
    },
  );

  it('always lets sensitive properties into exports (they have their own approval gate)', () => {
    fc.assert(
      fc.property(enabledSets, (enabled) => {
        expect(sensitiveAllowed(channelRule('export'), enabled)).toBe(true);
      }),
    );
  });

  it.each(['integration', 'webhook'])(
    'lets sensitive properties into %s:<name> exactly when <name> is enabled',
    (kind) => {
      fc.assert(
        fc.property(integrationName, enabledSets, (name, enabled) => {
          const rule = channelRule(`${kind}:${name}` as SensitiveDataChannel);
          expect(rule).toMatchObject({ kind: 'if_integration_enabled', name });
          expect(sensitiveAllowed(rule, enabled)).toBe(enabled.has(name));
        }),
      );
    },
  );

  it('never enables a name that breaks the pattern, even if such a name is in the set', () => {
    fc.assert(
      fc.property(
        fc.string().filter((name) => !INTEGRATION_NAME_PATTERN.test(name)),
        (name) => {
          const rule = channelRule(`integration:${name}`);
          expect(sensitiveAllowed(rule, new Set([name]))).toBe(false);
        },
      ),
    );
  });

  it('throws on a channel it does not know, so a new feature cannot slip past the policy', () => {
    for (const channel of ['email', 'Template', 'integration', 'constructor', '__proto__', '']) {
      expect(() => channelRule(channel as SensitiveDataChannel)).toThrow(
        /Unknown sensitive-data channel/,
      );
    }
  });
});
