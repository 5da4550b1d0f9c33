/** The SDK exception's name (`ResourceNotFoundException`, …), or undefined for anything else. */
export function awsErrorName(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object' || !('name' in error)) return undefined;
  const { name } = error as { name: unknown };
  return typeof name === 'string' ? name : undefined;
}

export function isAwsError(error: unknown, ...names: string[]): boolean {
  const name = awsErrorName(error);
  return name !== undefined && names.includes(name);
}

/** S3's ways of saying an object or bucket is not there (HEAD answers carry only the status). */
export function isS3NotFound(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return isAwsError(error, 'NotFound', 'NoSuchKey', 'NoSuchBucket') || status === 404;
}
