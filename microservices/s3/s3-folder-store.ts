import {
  DeleteObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { isS3NotFound } from '../../shared/aws/aws-errors.js';
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
      if (isS3NotFound(error)) return false;
      throw error;
    }
  }

  async ensureFolder(bucket: string, prefix: string): Promise<boolean> {
    const key = `${prefix}/`;
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return false;
    } catch (error) {
      if (!isS3NotFound(error)) throw error;
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
