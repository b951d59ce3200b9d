/** The S3-compatible file store: an entry of its own, so that apps without S3 need not install the AWS SDK. */
export { S3FileStore, S3_PART_BYTES, type S3FileStoreOptions } from '../files/s3-file-store';
