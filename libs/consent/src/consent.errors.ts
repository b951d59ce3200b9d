import { CustosError } from '@custos/core';

/** The errors of `@custos/consent`; codes are stable, details say what to do. */
export const ConsentErrors = {
  invalidField: (field: string, message: string) =>
    CustosError.invalidField('consent.invalid_input', field, message),
  purposeNotFound: () => CustosError.notFound('consent.purpose_not_found', 'The purpose'),
  unknownPurpose: (field: string) =>
    CustosError.invalidField('consent.unknown_purpose', field, 'names no purpose of the account'),
  duplicatePurpose: () =>
    CustosError.invalidField('consent.duplicate_purpose', 'key', 'is already used by a purpose'),
  channelNotOffered: (field: string) =>
    CustosError.invalidField(
      'consent.channel_not_offered',
      field,
      'is not a channel of the purpose',
    ),
  unknownNotice: (field: string) =>
    CustosError.invalidField(
      'consent.unknown_notice',
      field,
      'names no notice version of the purpose',
    ),
  noticeRequired: (field: string) =>
    CustosError.invalidField(
      'consent.notice_required',
      field,
      'consent given needs the version of the notice text the person was shown',
    ),
  invalidToken: () =>
    CustosError.invalidField(
      'consent.invalid_token',
      'token',
      'is not a link this server issued (it may have been cut or altered): use the link from the mail as it is',
    ),
  expiredToken: () =>
    new CustosError(
      'gone',
      'consent.expired_token',
      'This link has expired. Use the link of a more recent mail.',
      { errors: [{ field: 'token', message: 'has expired' }] },
    ),
  noAddress: () =>
    CustosError.invalidField(
      'consent.no_address',
      'address',
      'the contact has no address on this channel to send the confirmation to: give one',
    ),
  linksUnavailable: () =>
    new CustosError(
      'unavailable',
      'consent.links_unavailable',
      'The server has no public URL configured, so it cannot put links in mails (set the public URL).',
    ),
  notBlacklisted: () =>
    CustosError.notFound('consent.not_blacklisted', 'The address on the blacklist'),
  webhookDisabled: () => CustosError.notFound('consent.webhook_disabled', 'The bounce webhook'),
  badSignature: () =>
    new CustosError(
      'unauthenticated',
      'consent.bad_signature',
      'The body is not signed with the bounce webhook secret (X-Custos-Signature: sha256=<hex HMAC of the body>).',
    ),
  unreadableBounce: (field: string) =>
    CustosError.invalidField(
      'consent.unreadable_bounce',
      field,
      'names no address this server sent to (expected a VERP return path)',
    ),
  chainHeadInvalid: () =>
    new CustosError(
      'conflict',
      'consent.chain_head_invalid',
      'The consent chain head does not carry a valid signature; nothing is appended until an operator has verified the chain.',
    ),
} as const;
