/** One mail as handed to a transport: rendered, addressed, with its fixed Message-ID. */
export interface OutgoingMail {
  /** `<id@domain>`: the same on every attempt, so a resend is recognisable as the same mail. */
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  /** Extra header fields (`List-*`), to be covered by the DKIM signature. */
  headers?: Record<string, string>;
  /** The envelope sender when not `from` (a VERP return path). */
  returnPath?: string;
}

/**
 * How mail leaves Custos (port): SMTP in the server ({@link SmtpMailTransport}). `send` resolves
 * once the receiving server accepted the mail and throws otherwise; it never retries by itself
 * (the outbox does).
 */
export abstract class MailTransport {
  abstract send(mail: OutgoingMail): Promise<void>;

  /** Releases connections. */
  abstract close(): Promise<void>;
}
