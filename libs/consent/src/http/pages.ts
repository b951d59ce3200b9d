/** The small HTML pages of the public links: no script, one form per action, escaped text. */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

function button(action: string, label: string, fields: Record<string, string> = {}): string {
  const hidden = Object.entries(fields)
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join('');
  return `<form method="post" action="${escapeHtml(action)}">${hidden}<button type="submit">${escapeHtml(label)}</button></form>`;
}

/** GET of an unsubscribe link: nothing changes until the button POSTs (link scanners only GET). */
export function unsubscribePage(token: string, purposeName: string): string {
  const action = `unsubscribe?token=${encodeURIComponent(token)}`;
  return page(
    'Unsubscribe',
    `<p>Stop receiving “${escapeHtml(purposeName)}”?</p>${button(action, 'Unsubscribe')}<p><a href="preferences?token=${encodeURIComponent(token)}">Manage all preferences</a></p>`,
  );
}

export function donePage(title: string, text: string): string {
  return page(title, `<p>${escapeHtml(text)}</p>`);
}

/** GET of a confirmation link: the button POSTs the confirmation. */
export function confirmPage(token: string): string {
  return page(
    'Confirm your subscription',
    `<p>Press the button to confirm.</p>${button(`confirm?token=${encodeURIComponent(token)}`, 'Confirm')}`,
  );
}

export function preferencesPage(
  token: string,
  purposes: { purposeId: string; name: string; description: string | null; status: string }[],
): string {
  const action = `preferences?token=${encodeURIComponent(token)}`;
  const rows = purposes
    .map((p) => {
      const on = p.status === 'granted' || p.status === 'pending';
      return `<li><strong>${escapeHtml(p.name)}</strong>${p.description ? ` — ${escapeHtml(p.description)}` : ''}: ${on ? 'subscribed' : 'not subscribed'} ${button(action, on ? 'Unsubscribe' : 'Subscribe', { purposeId: p.purposeId, action: on ? 'withdraw' : 'grant' })}</li>`;
    })
    .join('');
  return page('Your preferences', `<ul>${rows}</ul>`);
}
