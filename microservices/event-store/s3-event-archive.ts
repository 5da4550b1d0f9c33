import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isS3NotFound } from '../../shared/aws/aws-errors.js';
import { deleteObjectsUnder } from '../../shared/aws/s3-prefix.js';
import { UpstreamError } from '../../shared/errors.js';
import type { EventArchive } from './event-archive.js';

/** EventArchive on the S3 API (AWS, or s3rver locally). */
export class S3EventArchive implements EventArchive {
  constructor(private readonly client: S3Client) {}

  async put(bucket: string, key: string, body: string): Promise<void> {
    await unavailableAs(`s3://${bucket}/${key} cannot be written`, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
      ),
    );
  }

  async get(bucket: string, key: string): Promise<string | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await object.Body?.transformToString('utf8');
    } catch (error) {
      if (isS3NotFound(error)) return undefined;
      throw upstream(`s3://${bucket}/${key} cannot be read`, error);
    }
  }

  async copy(bucket: string, fromKey: string, toKey: string): Promise<void> {
    await unavailableAs(`s3://${bucket}/${fromKey} cannot be copied to ${toKey}`, () =>
      this.client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: toKey,
          CopySource: `${bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`,
        }),
      ),
    );
  }

  removeAll(bucket: string, prefix: string): Promise<number> {
    return deleteObjectsUnder(this.client, bucket, prefix);
  }
}

/**
 * The archive failing (a bucket gone, access denied, S3 down) is the service's
 * dependency failing, not a bug: 503 with what could not be done. A commit
 * left pending by it is completed by the next append once the archive works.
 */
async function unavailableAs(what: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    throw upstream(what, error);
  }
}

function upstream(what: string, error: unknown): UpstreamError {
  const code = (error as { name?: string }).name ?? 'error';
  return new UpstreamError(`the event archive is unavailable: ${what} (${code})`, {}, { cause: error });
}
