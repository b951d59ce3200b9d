import type { LegalBasis } from '@custos/consent';
import type { RegisterView } from './processing-register';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as HTML text or attribute content: every markup character escaped. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => ENTITIES[character]);
}

const LAWFUL_BASES: Record<LegalBasis, string> = {
  consent: 'Consent — Art. 6(1)(a)',
  contract: 'Contract — Art. 6(1)(b)',
  legal_obligation: 'Legal obligation — Art. 6(1)(c)',
  vital_interest: 'Vital interests — Art. 6(1)(d)',
  public_task: 'Public task — Art. 6(1)(e)',
  legitimate_interest: 'Legitimate interests — Art. 6(1)(f)',
};

/** Print layout: A4, each activity on its own page, tables that do not split rows. */
const PRINT_CSS = `
  body { font: 11pt/1.4 system-ui, sans-serif; color: #111; margin: 2rem; }
  h1 { font-size: 18pt; margin: 0 0 .25rem; }
  h2 { font-size: 14pt; margin: 1.5rem 0 .5rem; border-bottom: 1px solid #999; }
  dl { display: grid; grid-template-columns: 14rem 1fr; gap: .25rem 1rem; margin: 0; }
  dt { font-weight: 600; }
  dd { margin: 0; white-space: pre-wrap; }
  table { border-collapse: collapse; width: 100%; margin-top: .75rem; font-size: 9pt; }
  th, td { border: 1px solid #bbb; padding: 2px 4px; text-align: left; vertical-align: top; }
  tr { break-inside: avoid; }
  .meta { color: #555; font-size: 9pt; }
  @page { size: A4; margin: 15mm; }
  @media print { body { margin: 0; } section { break-before: page; } section:first-of-type { break-before: auto; } }
`;

function list(values: readonly string[]): string {
  return values.length === 0 ? '—' : values.map(escapeHtml).join('<br>');
}

/**
 * The register of processing activities (GDPR Art. 30) as one printable HTML document: each
 * activity with the Art. 30(1) elements, the lawful basis (an Art. 13/14 element), the
 * processors (Art. 30(2)) and the registered personal-data fields under its categories. Every
 * value is escaped; the document loads nothing (no script, no external style or font), so the
 * browser's "print to PDF" makes the PDF.
 */
export function registerHtml(register: RegisterView): string {
  const processors = register.processors.map((p) => `${p.name} (${p.kind})`);
  const sections = register.activities.map((activity) => {
    const rows = activity.fields
      .map(
        (field) =>
          `<tr><td>${escapeHtml(field.source)}</td><td>${escapeHtml(field.table)}</td><td>${escapeHtml(
            field.jsonKey ? `${field.column}.${field.jsonKey}` : field.column,
          )}</td><td>${escapeHtml(field.category)}</td><td>${field.sealed ? 'yes' : ''}</td><td>${
            field.file ? 'yes' : ''
          }</td></tr>`,
      )
      .join('');
    return `<section>
<h2>${escapeHtml(activity.name)}</h2>
<dl>
<dt>Purposes</dt><dd>${list(activity.purposes)}</dd>
<dt>Lawful basis (Art. 13/14 information)</dt><dd>${escapeHtml(LAWFUL_BASES[activity.lawfulBasis])}</dd>
<dt>Controller</dt><dd>${escapeHtml(activity.controller)}</dd>
<dt>Data protection officer</dt><dd>${activity.dpo ? escapeHtml(activity.dpo) : '—'}</dd>
<dt>Categories of data subjects</dt><dd>${list(activity.subjectCategories)}</dd>
<dt>Categories of personal data</dt><dd>${list(activity.dataCategories)}</dd>
<dt>Recipients</dt><dd>${list(activity.recipients)}</dd>
<dt>Processors (Art. 30(2))</dt><dd>${list(processors)}</dd>
<dt>Third-country transfers and safeguards</dt><dd>${activity.transfers ? escapeHtml(activity.transfers) : '—'}</dd>
<dt>Erasure time limits</dt><dd>${escapeHtml(activity.retention)}</dd>
<dt>Security measures (Art. 32(1))</dt><dd>${escapeHtml(activity.securityMeasures)}</dd>
</dl>
<table><thead><tr><th>Source</th><th>Table</th><th>Field</th><th>Category</th><th>Sealed</th><th>File</th></tr></thead>
<tbody>${rows || '<tr><td colspan="6">No registered field falls under these categories.</td></tr>'}</tbody></table>
</section>`;
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Register of processing activities</title>
<style>${PRINT_CSS}</style></head>
<body>
<h1>Register of processing activities</h1>
<p class="meta">GDPR Art. 30 · generated ${escapeHtml(register.generatedAt.toISOString())} · ${
    register.activities.length
  } activities</p>
${sections.join('\n') || '<p>No processing activity is recorded.</p>'}
</body></html>
`;
}
