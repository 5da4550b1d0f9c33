import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { strToU8, zipSync } from 'fflate';

export const ARTIFACT_BUCKET = 'dmp-datamesh-s3';

/** Puts an artifact (script text or zip bytes) in the local bucket; returns its location. */
export async function putArtifact(
  s3: S3Client,
  key: string,
  content: string | Uint8Array,
  bucket = ARTIFACT_BUCKET,
): Promise<{ bucket: string; key: string }> {
  const body = typeof content === 'string' ? strToU8(content) : content;
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.byteLength }),
  );
  return { bucket, key };
}

/** A zip package of the given files (path → text). */
export function zipOf(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([path, text]) => [path, strToU8(text)])));
}

/** Handlers used across the local runtime tests. */
export const HANDLERS = {
  /** ESM, async: echoes the event and the variables it was given. */
  echoEsm: `export const handler = async (event) => ({ event, greeting: process.env.GREETING ?? null, home: process.env.HOME ?? null });\n`,
  /** CommonJS, callback style. */
  echoCallbackCjs: `exports.handler = (event, context, callback) => { callback(null, { cjs: true, name: context.functionName, event }); };\n`,
  throws: `export const handler = async () => { const error = new Error('the data is not there'); error.name = 'MissingData'; throw error; };\n`,
  loopsForever: `export const handler = async () => { for (;;) {} };\n`,
  exits: `export const handler = async () => { process.exit(3); };\n`,
  version: (version: number) => `export const handler = async () => ({ version: ${version} });\n`,
  proxy: `export const handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'x-handled-by': 'proxy' },
  body: JSON.stringify({ path: event.path, resource: event.resource, proxy: event.pathParameters?.proxy ?? null, query: event.queryStringParameters, stage: event.requestContext.stage }),
});\n`,
  garbage: `export const handler = async () => 'not a proxy response';\n`,
} as const;
