/**
 * Service-level integration specs of the CRM: the CRM over a fresh real database.
 * Other folders import this folder only through this file (eslint/dependency-rule.mjs).
 */
export { startCrmTestApp, type CrmTestApp } from './crm-test-app';
