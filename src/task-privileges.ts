import { definePrivileges, withholdFromPartnerAdmins } from '@custos/core';
// Defines `export`, `approve_exports` and `export_without_approval`, before the server's own.
import '@custos/exports';
import type { ExportPrivilege } from '@custos/exports';
// Defines `record_consent` and `manage_consent`.
import '@custos/consent';
import type { ConsentPrivilege } from '@custos/consent';
// Defines `send_mailings`: the file alone, as the mailings folder's index imports the records,
// which import this file.
import type { MailingPrivilege } from './crm/mailings/mailings.privileges';
import './crm/mailings/mailings.privileges';
// Defines `manage_privacy_requests` (withheld from partner admins).
import '@custos/privacy';
import type { PrivacyPrivilege } from '@custos/privacy';

/**
 * Task privileges of the reference server: the CRM's and the sensitive-data setting's. The
 * exports, consent, partners and privacy libs define their own.
 */
export const SERVER_PRIVILEGES = definePrivileges([
  'manage_properties',
  'import',
  'manage_sensitive_data',
] as const);

/** Partner admins never touch the sensitive-data setting, whatever roles they are given. */
withholdFromPartnerAdmins(['manage_sensitive_data'] as const);
export type ServerPrivilege =
  | (typeof SERVER_PRIVILEGES)[number]
  | ExportPrivilege
  | ConsentPrivilege
  | MailingPrivilege
  | PrivacyPrivilege;
