import type { AddressInfo } from 'node:net';
import type { ParsedMail } from 'mailparser';

/** A mail the test server accepted: parsed, with the envelope recipients. */
export interface ReceivedMail {
  parsed: ParsedMail;
  /** The message as received (to check a DKIM signature over its bytes). */
  raw: Buffer;
  envelopeTo: string[];
  /** The SMTP `MAIL FROM` (the return path bounces go to). */
  envelopeFrom: string | null;
}

/** An SMTP server running in this process that keeps what it receives. */
export interface TestSmtpServer {
  /** `smtp://127.0.0.1:<port>` (no TLS, no authentication). */
  url: string;
  received: ReceivedMail[];
  /** Answers the next `count` mails with this SMTP reply code (e.g. 451, a temporary failure). */
  refuseNext(count: number, code: number): void;
  close(): Promise<void>;
}

/** Starts an SMTP server on a free local port. */
export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  // Loaded when called: the testing entry must not need these dev-only packages to be installed.
  const [{ simpleParser }, { SMTPServer }] = await Promise.all([
    import('mailparser'),
    import('smtp-server'),
  ]);
  const received: ReceivedMail[] = [];
  let refusals: { count: number; code: number } = { count: 0, code: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      const raw = new Promise<Buffer>((resolve, reject) => {
        stream.on('end', () => resolve(Buffer.concat(chunks)));
        stream.on('error', reject);
      });
      raw
        .then(async (bytes) => ({ bytes, parsed: await simpleParser(bytes) }))
        .then(
          ({ bytes, parsed }) => {
            if (refusals.count > 0) {
              refusals.count -= 1;
              const error = Object.assign(new Error('Try again later'), {
                responseCode: refusals.code,
              });
              callback(error);
              return;
            }
            received.push({
              parsed,
              raw: bytes,
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuseNext: (count, code) => {
      refusals = { count, code };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
