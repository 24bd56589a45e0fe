import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { MediaStorage } from '@zhanqun/core';

export interface S3Settings {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** Prepended to every key, so one bucket can hold several platforms. */
  prefix: string;
  /** Multipart part size in bytes (S3's minimum is 5 MiB). */
  partSize?: number;
}

/**
 * S3-compatible object storage (AWS, MinIO, Ceph RGW, OSS/COS through their S3 APIs). Uploads stream from the
 * local file through `@aws-sdk/lib-storage` (multipart above one part, a few parts in flight), so memory stays
 * bounded whatever the file's size; an object appears only when the upload completes.
 */
export class S3Storage implements MediaStorage {
  readonly client: S3Client;
  private readonly s: S3Settings;
  constructor(s: S3Settings) {
    this.s = s;
    this.client = new S3Client({
      endpoint: s.endpoint,
      region: s.region,
      forcePathStyle: s.forcePathStyle,
      credentials:
        s.accessKeyId && s.secretAccessKey
          ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey }
          : undefined,
    });
  }

  private key(key: string) {
    return `${this.s.prefix}${key}`;
  }

  async put(key: string, sourcePath: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.s.bucket, Key: this.key(key), Body: createReadStream(sourcePath) },
      partSize: this.s.partSize ?? 8 * 1024 * 1024,
      queueSize: 2,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async read(key: string, range?: { start: number; end: number }): Promise<NodeJS.ReadableStream> {
    const out = await this.client.send(
      new GetObjectCommand({
        Bucket: this.s.bucket,
        Key: this.key(key),
        Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }),
    );
    return out.Body as Readable;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.s.bucket, Key: this.key(key) }));
      return true;
    } catch (e) {
      if (e instanceof NotFound || e instanceof NoSuchKey || (e as { name?: string }).name === 'NotFound') return false;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.s.bucket, Key: this.key(key) }));
  }

  async download(key: string, destPath: string): Promise<void> {
    await pipeline((await this.read(key)) as Readable, createWriteStream(destPath));
  }
}
