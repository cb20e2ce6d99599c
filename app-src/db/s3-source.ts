/**
 * The prepared data in the data bucket, as the Data stack's MovieLens preparation wrote it:
 * `personalize/<keyBase>manifest.json` and the `web/<keyBase>*.csv` files it lists. The instance
 * role may read `web/` and the manifest (the Data stack's read policy).
 */
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import type { LoadSource } from './load-files';

export class S3LoadSource implements LoadSource {
  readonly description: string;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly manifestKey: string,
  ) {
    this.description = `s3://${bucket}`;
  }

  async readManifest(): Promise<string | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.manifestKey }));
      return await object.Body!.transformToString('utf8');
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw new Error(`s3://${this.bucket}/${this.manifestKey}: ${(error as Error).message}`, { cause: error });
    }
  }

  async open(key: string): Promise<Readable> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return object.Body as Readable;
    } catch (error) {
      throw new Error(`s3://${this.bucket}/${key}: ${(error as Error).message}`, { cause: error });
    }
  }
}
