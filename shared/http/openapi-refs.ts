/** Local references (`#/components/...`) of an OpenAPI document, resolved. */

/** The value a local `$ref` points at, or undefined when it points nowhere. */
export function resolveRef(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  const tokens = ref
    .slice(1)
    .split('/')
    .slice(1)
    .map((token) => decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~'));
  let current: unknown = document;
  for (const token of tokens) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, token)) return undefined;
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}

/**
 * A copy of `value` with every local `$ref` replaced by what it points at,
 * so ajv compiles plain schemas. A reference cycle throws: the documents of
 * dmp describe finite request shapes.
 */
export function dereference<T>(document: unknown, value: T, seen: readonly string[] = []): T {
  if (Array.isArray(value)) return value.map((item) => dereference(document, item, seen)) as T;
  if (value === null || typeof value !== 'object') return value;
  const ref = (value as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    if (seen.includes(ref)) throw new Error(`OpenAPI reference cycle: ${[...seen, ref].join(' → ')}`);
    const target = resolveRef(document, ref);
    if (target === undefined) throw new Error(`OpenAPI reference ${ref} points nowhere`);
    return dereference(document, target as T, [...seen, ref]);
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [key, dereference(document, child, seen)]),
  ) as T;
}
