import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import {
  FileStore,
  assertFileKey,
  assertFilePrefix,
  type FileContent,
  type StoredFile,
} from './file-store';

/** Where the bucket is and how to reach it (the server reads it from `S3_*`). */
export interface S3FileStoreOptions {
  bucket: string;
  region: string;
  /** Endpoint of an S3-compatible service (MinIO, Ceph, R2, …); unset: AWS S3 itself. */
  endpoint?: string;
  /** Both or neither; neither: the AWS SDK's default credential chain (instance role, env). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** `bucket` in the path (`https://host/bucket/key`) rather than the host name; most non-AWS services need it. */
  forcePathStyle?: boolean;
}

/**
 * Bytes sent per request: files up to this size go in one PUT, larger ones as a multipart upload
 * of parts this size (S3's minimum part is 5 MiB), so one transfer holds at most one part in memory.
 */
export const S3_PART_BYTES = 8 * 1024 * 1024;

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(error) === 404;
}

/**
 * Files as objects of an S3-compatible bucket, so every instance sees every file. A PUT (or the
 * completion of a multipart upload) makes an object visible whole, which gives the atomic
 * replace the port promises; a failed multipart upload is aborted (a crash can leave its parts:
 * give the bucket a lifecycle rule that aborts incomplete uploads after a day).
 */
export class S3FileStore extends FileStore {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3FileStoreOptions) {
    super();
    this.bucket = options.bucket;
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? false,
      credentials: options.credentials,
      // Checksums only where S3 requires them: many S3-compatible services reject the newer trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, content: FileContent): Promise<void> {
    assertFileKey(key);
    if (Buffer.isBuffer(content)) {
      await this.putWhole(key, content);
      return;
    }
    const parts = chunks(content, S3_PART_BYTES)[Symbol.asyncIterator]();
    const first = await parts.next();
    if (first.done) {
      await this.putWhole(key, Buffer.alloc(0));
      return;
    }
    const second = await parts.next();
    if (second.done) {
      await this.putWhole(key, first.value);
      return;
    }
    await this.putInParts(key, [first.value, second.value], parts);
  }

  async get(key: string): Promise<Readable | null> {
    assertFileKey(key);
    try {
      const { Body } = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return Body as Readable;
    } catch (error) {
      if (isNotFound(error)) {
        return null;
      }
      throw error;
    }
  }

  async stat(key: string): Promise<StoredFile | null> {
    assertFileKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, size: head.ContentLength ?? 0, storedAt: head.LastModified ?? new Date(0) };
    } catch (error) {
      if (isNotFound(error)) {
        return null;
      }
      throw error;
    }
  }

  async move(from: string, to: string): Promise<void> {
    assertFileKey(from);
    assertFileKey(to);
    // A single copy reaches 5 GB, far above any file Custos accepts.
    await this.client.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: to,
        CopySource: `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
      }),
    );
    await this.delete(from);
  }

  async delete(key: string): Promise<void> {
    assertFileKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async *list(prefix: string): AsyncIterable<StoredFile> {
    assertFilePrefix(prefix);
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix || undefined,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) {
          yield {
            key: object.Key,
            size: object.Size ?? 0,
            storedAt: object.LastModified ?? new Date(0),
          };
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async checkReady(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  /** Closes the client's connections. */
  override close(): void {
    this.client.destroy();
  }

  private async putWhole(key: string, body: Buffer): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
      }),
    );
  }

  private async putInParts(
    key: string,
    firstParts: Buffer[],
    rest: AsyncIterator<Buffer>,
  ): Promise<void> {
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }),
    );
    const completed: CompletedPart[] = [];
    const upload = async (body: Buffer): Promise<void> => {
      const PartNumber = completed.length + 1;
      const { ETag } = await this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId,
          PartNumber,
          Body: body,
          ContentLength: body.length,
        }),
      );
      completed.push({ ETag, PartNumber });
    };
    try {
      for (const part of firstParts) {
        await upload(part);
      }
      for (let next = await rest.next(); !next.done; next = await rest.next()) {
        await upload(next.value);
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: completed },
        }),
      );
    } catch (error) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId }))
        .catch(() => undefined);
      throw error;
    }
  }
}

/** The content in buffers of exactly `size` bytes (the last one shorter). */
async function* chunks(
  content: Readable | AsyncIterable<Buffer | Uint8Array>,
  size: number,
): AsyncIterable<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const piece of content) {
    let chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as Uint8Array);
    while (length + chunk.length >= size) {
      const take = size - length;
      pending.push(chunk.subarray(0, take));
      yield Buffer.concat(pending, size);
      chunk = chunk.subarray(take);
      pending = [];
      length = 0;
    }
    if (chunk.length > 0) {
      pending.push(chunk);
      length += chunk.length;
    }
  }
  if (length > 0) {
    yield Buffer.concat(pending, length);
  }
}
