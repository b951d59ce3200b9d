/** The SMTP mail transport: an entry of its own, so that apps sending no mail need not install nodemailer. */
export { SmtpMailTransport, type DkimOptions } from '../mail/smtp-mail-transport';
