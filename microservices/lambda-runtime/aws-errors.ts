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
