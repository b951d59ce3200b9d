import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditCheckpoint, AuditWitness } from './audit-witness';

/** Bytes read from the file per read call when catching up with lines appended meanwhile. */
const READ_CHUNK = 1024 * 1024;

function checkpointOf(line: string): AuditCheckpoint | null {
  try {
    const parsed = JSON.parse(line) as Partial<AuditCheckpoint>;
    return typeof parsed.accountId === 'string' &&
      Number.isSafeInteger(parsed.seq) &&
      typeof parsed.hash === 'string' &&
      typeof parsed.signature === 'string' &&
      typeof parsed.at === 'string'
      ? (parsed as AuditCheckpoint)
      : null;
  } catch {
    // A line torn by a crash mid-write: the checkpoints before and after it still count.
    return null;
  }
}

/**
 * Checkpoints as JSON lines appended to one file (opened in append mode, fsync'ed before
 * `append` resolves). Reads only the bytes added since its last read, so lines appended by
 * another process sharing the file are seen too. Keep the file on storage the database's
 * writers cannot write, and back it up apart from the database.
 */
export class FileAuditWitness implements AuditWitness {
  private readonly newestByAccount = new Map<string, AuditCheckpoint>();
  private bytesRead = 0;
  private pending = '';
  private reading: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  async append(checkpoints: readonly AuditCheckpoint[]): Promise<void> {
    if (checkpoints.length === 0) {
      return;
    }
    await mkdir(dirname(this.path), { recursive: true });
    const text = checkpoints
      .map(({ accountId, seq, hash, signature, at }) =>
        JSON.stringify({ accountId, seq, hash, signature, at }),
      )
      .join('\n');
    const file = await open(this.path, 'a', 0o600);
    try {
      await file.write(`${text}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
  }

  async newest(accountId: string): Promise<AuditCheckpoint | null> {
    this.reading = this.reading.then(() => this.catchUp());
    await this.reading;
    return this.newestByAccount.get(accountId) ?? null;
  }

  /** Reads the lines appended since the last read into the per-account maximum. */
  private async catchUp(): Promise<void> {
    let file;
    try {
      file = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return;
      }
      throw error;
    }
    try {
      const buffer = Buffer.alloc(READ_CHUNK);
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, READ_CHUNK, this.bytesRead);
        if (bytesRead === 0) {
          return;
        }
        this.bytesRead += bytesRead;
        const lines = (this.pending + buffer.toString('utf8', 0, bytesRead)).split('\n');
        this.pending = lines.pop()!;
        for (const line of lines) {
          const checkpoint = checkpointOf(line);
          const known = checkpoint && this.newestByAccount.get(checkpoint.accountId);
          if (checkpoint && (!known || checkpoint.seq > known.seq)) {
            this.newestByAccount.set(checkpoint.accountId, checkpoint);
          }
        }
      }
    } finally {
      await file.close();
    }
  }
}
