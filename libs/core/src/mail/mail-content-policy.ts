import { CustosError } from '../errors/custos-error';

/** A field whose value a mail's subject or body carries (a CRM property definition fits). */
export interface CarriedField {
  readonly name: string;
  /** Non-null when the field is sensitive. */
  readonly sensitivity: object | null;
}

/** A mail to write to the outbox, rendered by its feature. */
export interface MailToSend {
  accountId: string;
  /** What kind of mail this is (`form.notification`); letters, digits, `.`, `_`, `-`. */
  kind: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  /**
   * Extra header fields, `List-*` only (`List-Unsubscribe`, `List-Unsubscribe-Post` of a marketing
   * mail, RFC 2369 / 8058); DKIM signs them with the rest. Values are one line.
   */
  headers?: Readonly<Record<string, string>>;
  /** The envelope sender (SMTP `MAIL FROM`), e.g. a VERP return path; default the From address. */
  returnPath?: string;
  /**
   * The fields whose values the subject or body carry; the content policy refuses the mail when
   * one may not go out by mail. A mail that carries no field value leaves it empty.
   */
  carries?: readonly CarriedField[];
}

/**
 * Decides whether a mail may be written (port): the host routes it through its sensitive-data
 * channel policy (mail is a `template` channel: sensitive values never go out). Throws to refuse.
 */
export interface MailContentPolicy {
  assertAllowed(mail: MailToSend): Promise<void>;
}

/** Injection token of the host's {@link MailContentPolicy}. */
export const MAIL_CONTENT_POLICY = Symbol('MAIL_CONTENT_POLICY');

/** The policy without a host one: no sensitive field's value goes out by mail (fail closed). */
export class NoSensitiveFieldsMailPolicy implements MailContentPolicy {
  assertAllowed(mail: MailToSend): Promise<void> {
    const refused = (mail.carries ?? []).filter((f) => f.sensitivity !== null);
    if (refused.length > 0) {
      return Promise.reject(
        new CustosError(
          'forbidden',
          'mail.sensitive_content',
          `Sensitive values may not go out by mail: ${refused.map((f) => f.name).join(', ')}.`,
          { errors: refused.map((f) => ({ field: f.name, message: 'is sensitive' })) },
        ),
      );
    }
    return Promise.resolve();
  }
}
