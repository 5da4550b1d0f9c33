import {
  DeleteObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { deleteObjectsUnder } from '../../shared/aws/s3-prefix.js';
import type { FolderStore } from './folder-store.js';

/** FolderStore on the S3 API (AWS, or s3rver locally). */
export class S3FolderStore implements FolderStore {
  constructor(private readonly client: S3Client) {}

  async bucketExists(bucket: string): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async ensureFolder(bucket: string, prefix: string): Promise<boolean> {
    const key = `${prefix}/`;
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return false;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    await this.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: new Uint8Array(0), ContentLength: 0 }),
    );
    return true;
  }

  async removeFolderMarker(bucket: string, prefix: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${prefix}/` }));
  }

  removeObjects(bucket: string, prefix: string): Promise<number> {
    return deleteObjectsUnder(this.client, bucket, prefix);
  }
}

function isNotFound(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    name === 'NotFound' ||
    name === 'NoSuchKey' ||
    name === 'NoSuchBucket' ||
    $metadata?.httpStatusCode === 404
  );
}
