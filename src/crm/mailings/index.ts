/**
 * Mass mailings (issue 17 item 7).
 * Other folders import this folder only through this file (eslint/dependency-rule.mjs).
 */
export { MAILING_PRIVILEGES, type MailingPrivilege } from './mailings.privileges';
export { MAILINGS_ENTITIES, MailingsModule } from './mailings.module';
export { MAILING_BATCH, MAILING_QUEUE, MailingSender } from './mailing-sender';
