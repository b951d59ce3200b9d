const MAX_NAME = 255;

/**
 * The name to keep for an uploaded file: its last path segment, without control or bidi-override
 * characters, at most 255 characters (the extension kept), `file` when nothing is left.
 */
export function sanitizeFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    // Control characters, lone surrogates, and the Unicode format characters that disguise an extension.
    .replace(/[\p{Cc}\p{Cf}\p{Cs}]/gu, '')
    .trim()
    .replace(/^\.+/, '');
  if (cleaned === '') {
    return 'file';
  }
  const chars = [...cleaned];
  if (chars.length <= MAX_NAME) {
    return cleaned;
  }
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 ? [...cleaned.slice(dot)] : [];
  if (extension.length > 0 && extension.length <= 16) {
    return chars.slice(0, MAX_NAME - extension.length).join('') + extension.join('');
  }
  return chars.slice(0, MAX_NAME).join('');
}

/** A `type/subtype` media type as the client declared it, else `application/octet-stream`. */
export function sanitizeContentType(raw: string | undefined): string {
  const type = (raw ?? '').split(';')[0].trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(type)
    ? type
    : 'application/octet-stream';
}

/**
 * `attachment` with the name twice (RFC 6266): an ASCII fallback with quotes, backslashes and
 * anything non-printable replaced, and the exact UTF-8 name percent-encoded.
 */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
