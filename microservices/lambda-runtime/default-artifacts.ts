import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { zipSync } from 'fflate';
import { isAwsError } from '../../shared/aws/aws-errors.js';
import { runtimeFile } from '../../shared/runtime-root.js';

/** Where the platform's default observability endpoint lives in a bucket, and its handler. */
export const DEFAULT_OBSERVABILITY_ARTIFACT = {
  /** The single script: deployable by the local runtime. */
  scriptKey: 'artifacts/dmp-observability/index.mjs',
  /** The same script in a .zip package: deployable by AWS Lambda and the local runtime. */
  zipKey: 'artifacts/dmp-observability/index.zip',
  handler: 'index.handler',
} as const;

/** An example workload that answers with the dependency info it was given (see examples/data-products/). */
export const EXAMPLE_WORKLOAD_ARTIFACT = {
  key: 'artifacts/dmp-examples/show-dependencies.mjs',
  handler: 'show-dependencies.handler',
} as const;

/** A fixed timestamp inside the zip, so the same script always makes the same package. */
const ZIP_MTIME = new Date('2024-01-01T00:00:00Z');
const SHA_METADATA = 'dmp-sha256';

export interface UploadedArtifacts {
  bucket: string;
  scriptKey: string;
  zipKey: string;
  handler: string;
  /** Keys written by this call; empty when the bucket already held the same bytes. */
  written: string[];
}

/**
 * Puts the default observability artifact into the bucket, as a script and
 * as a zip, and the example workload as a script. Idempotent: an object whose recorded sha256 matches is left alone.
 */
export async function uploadDefaultArtifacts(s3: S3Client, bucket: string): Promise<UploadedArtifacts> {
  const script = await readFile(artifactSourceFile('observability/index.mjs'));
  const example = await readFile(artifactSourceFile('examples/show-dependencies.mjs'));
  const zip = zipSync(
    { 'index.mjs': [new Uint8Array(script), { mtime: ZIP_MTIME }] },
    { level: 9, mtime: ZIP_MTIME },
  );
  const written: string[] = [];
  for (const [key, body] of [
    [DEFAULT_OBSERVABILITY_ARTIFACT.scriptKey, new Uint8Array(script)],
    [DEFAULT_OBSERVABILITY_ARTIFACT.zipKey, zip],
    [EXAMPLE_WORKLOAD_ARTIFACT.key, new Uint8Array(example)],
  ] as const) {
    if (await putIfChanged(s3, bucket, key, body)) written.push(key);
  }
  return { bucket, ...DEFAULT_OBSERVABILITY_ARTIFACT, written };
}

async function putIfChanged(s3: S3Client, bucket: string, key: string, body: Uint8Array): Promise<boolean> {
  const sha = createHash('sha256').update(body).digest('hex');
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    if (head.Metadata?.[SHA_METADATA] === sha) return false;
  } catch (error) {
    if (!isAwsError(error, 'NotFound', 'NoSuchKey')) throw error;
  }
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentLength: body.byteLength,
      ContentType: key.endsWith('.zip') ? 'application/zip' : 'text/javascript',
      Metadata: { [SHA_METADATA]: sha },
    }),
  );
  return true;
}

/** A file of `artifacts/` under the runtime root: the same from the sources and from the compiled `dist/`. */
function artifactSourceFile(relative: string): string {
  return runtimeFile('artifacts', relative);
}
