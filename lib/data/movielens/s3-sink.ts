import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ByteSink } from './csv-output';
import { OutputSink } from './sink';

/**
 * Writes prepared files to S3 with multipart uploads (streamed: a file is never held whole).
 * An object exists only once its upload completes; an aborted upload leaves nothing behind.
 */
export class S3Sink implements OutputSink {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly partSize = 16 * 1024 * 1024,
  ) {}

  get location(): string {
    return `s3://${this.bucket}`;
  }

  async create(key: string, contentType: string): Promise<ByteSink> {
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
      partSize: this.partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    const done = upload.done();
    // Observed by write/close; keeps an early failure from being reported as unhandled.
    done.catch(() => undefined);
    return {
      async write(chunk: Buffer) {
        if (!body.write(chunk)) await Promise.race([once(body, 'drain'), done]);
      },
      async close() {
        body.end();
        await done;
      },
      async abort() {
        await upload.abort().catch(() => undefined);
        body.destroy();
      },
    };
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!response.Body) return undefined;
      return Buffer.from(await response.Body.transformToByteArray());
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}
