/**
 * bench/files: write and read throughput of the `FileStore` for one file of `megabytes` MB (default
 * 50, the largest CSV import), streamed in 64 KiB chunks as an upload arrives:
 * - `rawFs`: `fs.createWriteStream` / `fs.createReadStream` on the same disk (the floor);
 * - `disk`: `LocalDiskFileStore` (write below `.partial/`, rename into place);
 * - `s3`: `S3FileStore` against s3rver, an S3-compatible server running in this process on the
 *   same disk (one PUT per 8 MiB part, multipart upload; the server shares this process's event
 *   loop, so the figure is a floor for a real bucket on a fast network, not an estimate of it).
 * Median of `runs` (default 3) per store, the stores taking turns; the content is generated
 * before timing. Ratios are to `rawFs`. No database is involved.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LocalDiskFileStore, type FileStore } from '@custos/core';
import { S3FileStore } from '@custos/core/s3';
import { startTestS3Server } from '@custos/core/testing';

export interface FilesBenchOptions {
  megabytes: number;
  runs: number;
}

interface Throughput {
  writeMBps: number;
  readMBps: number;
}

export interface FilesResult {
  megabytes: number;
  runs: number;
  rawFs: Throughput;
  disk: Throughput & { writeRatioToRawFs: number; readRatioToRawFs: number };
  s3: Throughput & { writeRatioToRawFs: number; readRatioToRawFs: number };
}

const CHUNK = 64 * 1024;

/** The file as an upload delivers it: 64 KiB chunks (of one random MiB, repeated). */
function content(megabytes: number, block: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < megabytes; i += 1) {
        for (let offset = 0; offset < block.length; offset += CHUNK) {
          yield block.subarray(offset, offset + CHUNK);
        }
      }
    })(),
  );
}

async function drain(stream: Readable | null): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream ?? []) {
    bytes += (chunk as Buffer).length;
  }
  return bytes;
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const round = (n: number) => Math.round(n * 10) / 10;

export async function benchFiles(options: FilesBenchOptions): Promise<FilesResult> {
  const folder = mkdtempSync(join(tmpdir(), 'custos-bench-files-'));
  const s3 = await startTestS3Server('custos-bench');
  const block = randomBytes(1024 * 1024);
  const size = options.megabytes * 1024 * 1024;
  const stores: Record<'disk' | 's3', FileStore> = {
    disk: new LocalDiskFileStore(join(folder, 'store')),
    s3: new S3FileStore(s3.options),
  };
  const times = {
    rawFs: { write: [] as number[], read: [] as number[] },
    disk: { write: [] as number[], read: [] as number[] },
    s3: { write: [] as number[], read: [] as number[] },
  };
  try {
    for (let run = 0; run < options.runs; run += 1) {
      const raw = join(folder, `raw-${run}`);
      times.rawFs.write.push(
        await seconds(() => pipeline(content(options.megabytes, block), createWriteStream(raw))),
      );
      times.rawFs.read.push(await seconds(() => drain(createReadStream(raw))));
      for (const name of ['disk', 's3'] as const) {
        const key = `bench/run-${run}`;
        times[name].write.push(
          await seconds(() => stores[name].put(key, content(options.megabytes, block))),
        );
        let read = 0;
        times[name].read.push(
          await seconds(async () => (read = await drain(await stores[name].get(key)))),
        );
        if (read !== size) {
          throw new Error(`${name} gave back ${read} bytes of ${size}`);
        }
        await stores[name].delete(key);
      }
      rmSync(raw, { force: true });
    }
  } finally {
    (stores.s3 as S3FileStore).close();
    await s3.close();
    rmSync(folder, { recursive: true, force: true });
  }
  const throughput = (t: { write: number[]; read: number[] }): Throughput => ({
    writeMBps: round(options.megabytes / median(t.write)),
    readMBps: round(options.megabytes / median(t.read)),
  });
  const rawFs = throughput(times.rawFs);
  const withRatios = (t: Throughput) => ({
    ...t,
    writeRatioToRawFs: Math.round((t.writeMBps / rawFs.writeMBps) * 100) / 100,
    readRatioToRawFs: Math.round((t.readMBps / rawFs.readMBps) * 100) / 100,
  });
  return {
    megabytes: options.megabytes,
    runs: options.runs,
    rawFs,
    disk: withRatios(throughput(times.disk)),
    s3: withRatios(throughput(times.s3)),
  };
}
