/** `jane.doe@example.com` → `j***@e***.com`: enough to tell entries apart, not to recover the address. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) {
    return '***';
  }
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot >= 0 ? domain.slice(dot) : '';
  return `${email[0]}***@${domain[0] ?? ''}***${tld}`;
}

/** `+49 30 1234567` → `***67`. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return `***${digits.slice(-2)}`;
}

/** The subject as the privacy log names it: each of its values masked. */
export function maskedSubject(values: {
  emails: readonly string[];
  phones: readonly string[];
}): string {
  const parts = [...values.emails.map(maskEmail), ...values.phones.map(maskPhone)];
  return parts.length > 0 ? parts.join(', ').slice(0, 200) : 'unnamed subject';
}
