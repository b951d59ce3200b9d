import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustosError, RequestContext, TransactionHost } from '@custos/core';
import {
  INTEGRATION_NAME_PATTERN,
  SensitiveDataIntegration,
} from './sensitive-data-integration.entity';

/** Channels that never receive sensitive properties. */
export const CLOSED_CHANNELS = ['template', 'sandbox', 'chatbot', 'playbook', 'ai'] as const;

/**
 * Where property values may leave the CRM: personalisation tokens (`template`), `sandbox`,
 * `chatbot`, `playbook`, AI and summarisation (`ai`), `export`, and named integrations or
 * webhooks (`integration:<name>`, `webhook:<name>`). Integrations and webhooks share one
 * namespace of names: a webhook is one way an integration receives data.
 */
export type SensitiveDataChannel =
  (typeof CLOSED_CHANNELS)[number] | 'export' | `integration:${string}` | `webhook:${string}`;

/** What the policy needs of a property definition; the CRM's `PropertyDefinition` fits. */
export interface SensitivityMarked {
  readonly name: string;
  /** Non-null when the property is sensitive. */
  readonly sensitivity: object | null;
}

/** Definitions as a list, or a schema with a `byName` map (the CRM's `PropertySchema`). */
export type PropertySource<T extends SensitivityMarked> =
  Iterable<T> | { readonly byName: ReadonlyMap<string, T> };

/** How a channel treats sensitive properties. */
export type ChannelRule =
  | { readonly kind: 'never'; readonly label: string }
  | { readonly kind: 'always'; readonly label: string }
  | { readonly kind: 'if_integration_enabled'; readonly label: string; readonly name: string };

const CLOSED_LABELS: Record<(typeof CLOSED_CHANNELS)[number], string> = {
  template: 'personalisation tokens and templates',
  sandbox: 'sandboxes',
  chatbot: 'chatbots',
  playbook: 'playbooks',
  ai: 'AI and summarisation features',
};

/**
 * The rule of a channel. An unknown channel is a programming error and throws; an integration
 * name that could never have been enabled is simply never enabled (fail closed).
 */
export function channelRule(channel: SensitiveDataChannel): ChannelRule {
  if (channel === 'export') {
    // Exports have their own approval gate; they still pass through the policy.
    return { kind: 'always', label: 'exports' };
  }
  if (Object.hasOwn(CLOSED_LABELS, channel)) {
    return { kind: 'never', label: CLOSED_LABELS[channel as keyof typeof CLOSED_LABELS] };
  }
  const match = /^(integration|webhook):(.*)$/s.exec(channel);
  if (match) {
    return {
      kind: 'if_integration_enabled',
      label: `${match[1]} "${match[2]}"`,
      name: match[2],
    };
  }
  throw new Error(
    `Unknown sensitive-data channel "${channel}": use one of ${[...CLOSED_CHANNELS, 'export'].join(', ')}, integration:<name> or webhook:<name>.`,
  );
}

/** Whether sensitive properties may go to a channel, given the integrations enabled for them. */
export function sensitiveAllowed(
  rule: ChannelRule,
  enabledIntegrations: ReadonlySet<string>,
): boolean {
  switch (rule.kind) {
    case 'never':
      return false;
    case 'always':
      return true;
    case 'if_integration_enabled':
      return INTEGRATION_NAME_PATTERN.test(rule.name) && enabledIntegrations.has(rule.name);
  }
}

export function isSensitive(property: SensitivityMarked): boolean {
  return property.sensitivity !== null && property.sensitivity !== undefined;
}

function listOf<T extends SensitivityMarked>(properties: PropertySource<T>): T[] {
  return 'byName' in properties ? [...properties.byName.values()] : [...properties];
}

/** Where to look: default the request's account and transaction. */
export interface ChannelPolicyOptions {
  readonly accountId?: string;
  readonly manager?: EntityManager;
}

/**
 * The one check every feature that sends property values out of the CRM calls (product §3):
 * sensitive properties never reach templates, sandboxes, chatbots, playbooks or AI; they reach
 * an integration or webhook only if a super admin enabled it for sensitive data; exports are
 * allowed here and gated by their own approval.
 */
@Injectable()
export class SensitiveDataChannelPolicy {
  constructor(
    private readonly transactions: TransactionHost,
    private readonly context: RequestContext,
  ) {}

  /**
   * Refuses with 403 `sensitive_data.channel_forbidden`, naming each refused property, when any
   * of the properties may not go to `channel`. With `names`, only those properties of the
   * definitions are checked, and a name without a definition is a 422 naming it.
   */
  async assertAllowed(
    channel: SensitiveDataChannel,
    properties: PropertySource<SensitivityMarked>,
    names?: Iterable<string>,
    options: ChannelPolicyOptions = {},
  ): Promise<void> {
    const rule = channelRule(channel);
    const selected = names === undefined ? listOf(properties) : pick(properties, names);
    const sensitive = selected.filter(isSensitive);
    if (sensitive.length === 0 || (await this.allows(rule, options))) {
      return;
    }
    const refused = [...new Set(sensitive.map((p) => p.name))];
    const how =
      rule.kind === 'if_integration_enabled'
        ? ` unless a super admin enables "${rule.name}" for sensitive data (PUT /api/v1/settings/sensitive-data/integrations/${rule.name})`
        : '';
    throw new CustosError(
      'forbidden',
      'sensitive_data.channel_forbidden',
      `Sensitive properties may not go to ${rule.label}${how}: ${refused.join(', ')}.`,
      {
        errors: refused.map((field) => ({
          field,
          message: `is sensitive and not allowed in ${rule.label}`,
        })),
        extensions: { channel },
      },
    );
  }

  /** The properties that may go to `channel`: all of them, or all but the sensitive ones. */
  async allowedProperties<T extends SensitivityMarked>(
    channel: SensitiveDataChannel,
    properties: PropertySource<T>,
    options: ChannelPolicyOptions = {},
  ): Promise<T[]> {
    const rule = channelRule(channel);
    const list = listOf(properties);
    if (!list.some(isSensitive) || (await this.allows(rule, options))) {
      return list;
    }
    return list.filter((p) => !isSensitive(p));
  }

  private async allows(rule: ChannelRule, options: ChannelPolicyOptions): Promise<boolean> {
    if (rule.kind !== 'if_integration_enabled' || !INTEGRATION_NAME_PATTERN.test(rule.name)) {
      return sensitiveAllowed(rule, new Set());
    }
    const accountId = options.accountId ?? this.context.requireAccountId();
    const manager = options.manager ?? this.transactions.manager;
    const enabled = await manager.existsBy(SensitiveDataIntegration, {
      accountId,
      name: rule.name,
    });
    return sensitiveAllowed(rule, new Set(enabled ? [rule.name] : []));
  }
}

function pick<T extends SensitivityMarked>(
  properties: PropertySource<T>,
  names: Iterable<string>,
): T[] {
  const byName =
    'byName' in properties
      ? properties.byName
      : new Map(listOf(properties).map((p) => [p.name, p]));
  return [...new Set(names)].map((name) => {
    const property = byName.get(name);
    if (!property) {
      throw CustosError.invalidField(
        'sensitive_data.unknown_property',
        name,
        'is not a property of this object type',
      );
    }
    return property;
  });
}
