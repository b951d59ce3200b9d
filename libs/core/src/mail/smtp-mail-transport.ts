import { createTransport, type Transporter } from 'nodemailer';
import { MailTransport, type OutgoingMail } from './mail-transport';

/** DKIM signing of outgoing mail (RFC 6376). */
export interface DkimOptions {
  domainName: string;
  keySelector: string;
  /** PEM private key. */
  privateKey: string;
}

/**
 * Mail over SMTP with nodemailer: `smtp://user:pass@host:587` (STARTTLS when offered) or
 * `smtps://…:465`, optionally DKIM-signed. One connection per mail (no pool): the outbox sends
 * in small batches and a pooled connection would outlive a failing server's errors.
 */
export class SmtpMailTransport extends MailTransport {
  private readonly transporter: Transporter;

  constructor(url: string, options: { dkim?: DkimOptions } = {}) {
    super();
    const parsed = new URL(url);
    this.transporter = createTransport({
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : parsed.protocol === 'smtps:' ? 465 : 587,
      secure: parsed.protocol === 'smtps:',
      auth: parsed.username
        ? {
            user: decodeURIComponent(parsed.username),
            pass: decodeURIComponent(parsed.password),
          }
        : undefined,
      dkim: options.dkim,
      // Bounded waits: a silent server fails this attempt, and the outbox tries again later.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail({
      messageId: mail.messageId,
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      // nodemailer's DKIM signs List-Unsubscribe and List-Unsubscribe-Post among its defaults.
      headers: mail.headers,
      envelope: mail.returnPath ? { from: mail.returnPath, to: mail.to } : undefined,
    });
  }

  close(): Promise<void> {
    this.transporter.close();
    return Promise.resolve();
  }
}
