import { createHash, createVerify, type KeyObject } from 'node:crypto';

/** A DKIM-Signature checked against a public key (RFC 6376, rsa-sha256, simple or relaxed). */
export interface DkimCheck {
  bodyHashMatches: boolean;
  signatureValid: boolean;
  /** The header fields the signature covers, lower-cased (its `h=` tag). */
  signedHeaders: string[];
  domain: string;
  selector: string;
}

const WSP = /[ \t]+/g;

/**
 * Verifies the first DKIM-Signature of a raw message with `publicKey` — written for the tests
 * because no DKIM verifier is among the dependencies: the body hash over the canonical body, and
 * the RSA-SHA256 signature over the canonical signed headers and the signature field itself.
 */
export function verifyDkim(raw: Buffer, publicKey: KeyObject): DkimCheck {
  const text = raw.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const headerBlock = text.slice(0, split);
  const body = text.slice(split + 4);
  // Each field with its folded continuation lines, in order.
  const fields = headerBlock
    .split(/\r\n(?![ \t])/)
    .map((field) => ({ name: field.slice(0, field.indexOf(':')), raw: field }));
  const signature = fields.find((f) => f.name.toLowerCase() === 'dkim-signature');
  if (!signature) {
    throw new Error('The message carries no DKIM-Signature');
  }
  const value = signature.raw.slice(signature.raw.indexOf(':') + 1);
  const tags = new Map(
    value
      .replace(/\r\n/g, '')
      .split(';')
      .map((tag) => tag.trim())
      .filter((tag) => tag.includes('='))
      .map((tag) => [tag.slice(0, tag.indexOf('=')).trim(), tag.slice(tag.indexOf('=') + 1)]),
  );
  const [headerCanon, bodyCanon = 'simple'] = (tags.get('c') ?? 'simple/simple').split('/');
  const bodyHash = createHash('sha256')
    .update(canonicalBody(body, bodyCanon), 'latin1')
    .digest('base64');
  const signedHeaders = tags
    .get('h')!
    .split(':')
    .map((name) => name.trim().toLowerCase());
  // Instances of a repeated field are taken from the bottom up (RFC 6376 5.4.2).
  const used = new Map<string, number>();
  let signed = '';
  for (const name of signedHeaders) {
    const instances = fields.filter((f) => f.name.toLowerCase() === name);
    const count = used.get(name) ?? 0;
    used.set(name, count + 1);
    const field = instances[instances.length - 1 - count];
    if (field) {
      signed += `${canonicalHeader(field.raw, headerCanon)}\r\n`;
    }
  }
  const withoutB = signature.raw.replace(/(^|[;\s])b=[^;]*/, '$1b=');
  signed += canonicalHeader(withoutB, headerCanon);
  const verifier = createVerify('RSA-SHA256');
  verifier.update(signed, 'latin1');
  return {
    bodyHashMatches: bodyHash === tags.get('bh')!.replace(/\s+/g, ''),
    signatureValid: verifier.verify(publicKey, tags.get('b')!.replace(/\s+/g, ''), 'base64'),
    signedHeaders,
    domain: tags.get('d')!.trim(),
    selector: tags.get('s')!.trim(),
  };
}

function canonicalHeader(field: string, canon: string): string {
  if (canon !== 'relaxed') {
    return field;
  }
  const colon = field.indexOf(':');
  const name = field.slice(0, colon).trim().toLowerCase();
  const value = field
    .slice(colon + 1)
    .replace(/\r\n/g, '')
    .replace(WSP, ' ')
    .trim();
  return `${name}:${value}`;
}

function canonicalBody(body: string, canon: string): string {
  let lines = body.split('\r\n');
  if (canon === 'relaxed') {
    lines = lines.map((line) => line.replace(WSP, ' ').replace(/ $/, ''));
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') {
    lines.pop();
  }
  if (lines.length === 0) {
    return canon === 'relaxed' ? '' : '\r\n';
  }
  return `${lines.join('\r\n')}\r\n`;
}
