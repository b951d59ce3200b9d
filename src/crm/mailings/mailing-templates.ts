import type { PropertySchema } from '../kernel';
import { plainValue, type StoredRecord } from '../records';
import { MailingErrors } from './mailings.errors';

/** `{{firstname}}`, spaces allowed inside the braces. */
const TOKEN = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The templates of a mailing, as the API names their fields. */
export interface MailingTemplates {
  subjectTemplate: string;
  bodyTemplate: string;
}

/** A token found in a template: the property it names and the field it is in. */
export interface TemplateToken {
  name: string;
  field: keyof MailingTemplates;
}

/** Every token of both templates, in order of appearance (once each per field). */
export function tokensOf(templates: MailingTemplates): TemplateToken[] {
  const found: TemplateToken[] = [];
  for (const field of ['subjectTemplate', 'bodyTemplate'] as const) {
    const names = new Set([...templates[field].matchAll(TOKEN)].map((match) => match[1]));
    found.push(...[...names].map((name) => ({ name, field })));
  }
  return found;
}

/** The first token naming no property of contacts, as a 422 naming its field. */
export function assertKnownTokens(schema: PropertySchema, tokens: readonly TemplateToken[]): void {
  const unknown = tokens.find((token) => !schema.byName.has(token.name));
  if (unknown) {
    throw MailingErrors.unknownToken(unknown.field, unknown.name);
  }
}

/**
 * The template with each token replaced by the record's value (empty when it has none); the
 * subject stays one line whatever a value holds.
 */
export function render(template: string, record: StoredRecord, oneLine: boolean): string {
  const text = template.replace(TOKEN, (_, name: string) => {
    const value = plainValue(record, name);
    return value === null || value === undefined ? '' : String(value);
  });
  return oneLine ? text.replace(/[\r\n]+/g, ' ') : text;
}
