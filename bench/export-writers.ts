/**
 * bench/export-writers: the streaming file writers of `@custos/exports` (CSV and XLSX) on `rows` rows
 * (default 1,000,000) of 8 typed columns made by a generator in batches of 1,000, as an export source
 * yields them — no database, so the figures are the writers' own cost:
 * - baselines, measured in the same run: `generatorJson` (the generator and `JSON.stringify` per
 *   row, discarded) and `generatorJsonDeflate` (the same text through zlib's raw deflate at the
 *   writers' level, discarded) — the floor for CSV and for the compressed XLSX;
 * - `csv` and `xlsx`, each to a discarding sink and to a file in the temporary folder.
 * Per case: rows/s (wall clock, and per CPU second of this process: the machine is shared), MB
 * written, the time ratio to each baseline, and the peak RSS growth over the RSS
 * at the case's start (sampled every 16 chunks and every 50 ms; the heap is collected between cases).
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createDeflateRaw } from 'node:zlib';
// The writers are internal to the lib (the export runner uses them); the bench measures them directly.
// eslint-disable-next-line no-restricted-imports
import { writeExportFile, type ExportFormat } from '../libs/exports/src/writers';
import type { ExportColumn, ExportRow } from '@custos/exports';

export interface ExportWritersOptions {
  rows: number;
}

interface CaseResult {
  rowsPerSecond: number;
  seconds: number;
  /** Rows per second of this process's CPU (all threads, zlib's included): less sensitive to load. */
  rowsPerCpuSecond: number;
  megabytes: number;
  peakRssGrowthMb: number;
}

interface WriterResult extends CaseResult {
  timeRatioToGeneratorJson: number;
  timeRatioToGeneratorJsonDeflate: number;
}

export interface ExportWritersResult {
  rows: number;
  columns: string[];
  baselines: { generatorJson: CaseResult; generatorJsonDeflate: CaseResult };
  csv: { discard: WriterResult; file: WriterResult };
  xlsx: { discard: WriterResult; file: WriterResult };
  targets: {
    csvRowsPerSecondAbove: number;
    xlsxRowsPerSecondAtLeast: number;
    peakRssGrowthMbAtMost: number;
    met: boolean;
  };
}

const BATCH = 1_000;
const COLUMNS: ExportColumn[] = [
  { name: 'id', type: 'number', sensitive: false },
  { name: 'email', type: 'string', sensitive: false },
  { name: 'lastname', type: 'string', sensitive: false },
  { name: 'phone', type: 'string', sensitive: false },
  { name: 'amount', type: 'number', sensitive: false },
  { name: 'createdate', type: 'datetime', sensitive: false },
  { name: 'birthdate', type: 'date', sensitive: false },
  { name: 'subscribed', type: 'boolean', sensitive: false },
];
const NAMES = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand'];
const START = Date.UTC(2020, 0, 1);

/** Contact-like rows: a quarter of the phones international (`+33 …`), signed decimal amounts. */
async function* contacts(count: number): AsyncGenerator<ExportRow[]> {
  for (let first = 0; first < count; first += BATCH) {
    const batch: ExportRow[] = [];
    for (let id = first; id < Math.min(count, first + BATCH); id++) {
      const name = NAMES[id % NAMES.length];
      batch.push([
        id + 1,
        `${name.toLowerCase()}.${id}@example.com`,
        name,
        id % 4 === 0
          ? `+33 6 ${String(id % 100_000_000).padStart(8, '0')}`
          : `06${id % 100_000_000}`,
        ((id * 7919) % 200_000) / 100 - 1_000,
        new Date(START + id * 61_000),
        id % 5 === 0 ? null : new Date(Date.UTC(1950 + (id % 50), id % 12, 1 + (id % 28))),
        id % 3 === 0,
      ]);
    }
    yield batch;
  }
}

async function* json(count: number): AsyncGenerator<Buffer> {
  for await (const batch of contacts(count)) {
    let text = '';
    for (const row of batch) {
      text += `${JSON.stringify(row)}\n`;
    }
    yield Buffer.from(text);
  }
}

/** A collector of the heap between cases, so each starts from a comparable RSS. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** The highest RSS seen in the current case. */
let peakRss = 0;
function sampleRss(): void {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}

/** The chunks, sampling RSS every 16 (timers alone may wait behind a busy loop). */
async function* sampled(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let count = 0;
  for await (const chunk of chunks) {
    if (++count % 16 === 0) {
      sampleRss();
    }
    yield chunk;
  }
}

async function discard(chunks: AsyncIterable<Buffer>): Promise<number> {
  let bytes = 0;
  for await (const chunk of sampled(chunks)) {
    bytes += chunk.length;
  }
  return bytes;
}

async function measure(
  rows: number,
  gc: () => void,
  write: () => Promise<number>,
): Promise<CaseResult> {
  gc();
  const start = process.memoryUsage.rss();
  peakRss = start;
  const timer = setInterval(sampleRss, 50);
  const began = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  let written: number;
  try {
    written = await write();
  } finally {
    clearInterval(timer);
  }
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  sampleRss();
  return {
    rowsPerSecond: Math.round(rows / seconds),
    seconds: round(seconds),
    rowsPerCpuSecond: Math.round(rows / ((cpu.user + cpu.system) / 1e6)),
    megabytes: round(written / 2 ** 20),
    peakRssGrowthMb: round((peakRss - start) / 2 ** 20),
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

export async function benchExportWriters(
  options: ExportWritersOptions,
): Promise<ExportWritersResult> {
  const gc = collector();
  const folder = mkdtempSync(join(tmpdir(), 'custos-bench-export-writers-'));
  const run = (write: () => Promise<number>) => measure(options.rows, gc, write);
  const toFile = async (format: ExportFormat): Promise<number> => {
    const path = join(folder, `export.${format}`);
    const file = writeExportFile(format, COLUMNS, contacts(options.rows), {
      expectedRows: options.rows,
    });
    await pipeline(Readable.from(sampled(file.bytes)), createWriteStream(path));
    const size = statSync(path).size;
    rmSync(path);
    return size;
  };
  const toDiscard = (format: ExportFormat) =>
    discard(
      writeExportFile(format, COLUMNS, contacts(options.rows), { expectedRows: options.rows })
        .bytes,
    );
  try {
    process.stderr.write(`export-writers: ${options.rows} rows, baselines…\n`);
    const generatorJson = await run(() => discard(json(options.rows)));
    const generatorJsonDeflate = await run(() =>
      discard(Readable.from(json(options.rows)).pipe(createDeflateRaw({ level: 3 }))),
    );
    const versus = (result: CaseResult): WriterResult => ({
      ...result,
      timeRatioToGeneratorJson: round(result.seconds / generatorJson.seconds),
      timeRatioToGeneratorJsonDeflate: round(result.seconds / generatorJsonDeflate.seconds),
    });
    process.stderr.write('export-writers: CSV…\n');
    const csv = {
      discard: versus(await run(() => toDiscard('csv'))),
      file: versus(await run(() => toFile('csv'))),
    };
    process.stderr.write('export-writers: XLSX…\n');
    const xlsx = {
      discard: versus(await run(() => toDiscard('xlsx'))),
      file: versus(await run(() => toFile('xlsx'))),
    };
    const cases = [csv.discard, csv.file, xlsx.discard, xlsx.file];
    return {
      rows: options.rows,
      columns: COLUMNS.map((c) => `${c.name}:${c.type}`),
      baselines: { generatorJson, generatorJsonDeflate },
      csv,
      xlsx,
      targets: {
        csvRowsPerSecondAbove: 160_000,
        xlsxRowsPerSecondAtLeast: 60_000,
        peakRssGrowthMbAtMost: 100,
        met:
          Math.min(csv.discard.rowsPerSecond, csv.file.rowsPerSecond) > 160_000 &&
          Math.min(xlsx.discard.rowsPerSecond, xlsx.file.rowsPerSecond) >= 60_000 &&
          cases.every((c) => c.peakRssGrowthMb <= 100),
      },
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
