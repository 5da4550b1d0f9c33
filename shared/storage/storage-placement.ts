import type { DataProductRef } from '../descriptor/types.js';

/**
 * Where data products' storage may live in a bucket. Pure: the S3 and
 * event-store microservices place folders with it, the workload and
 * observability microservices check artifact keys with it.
 */
export interface StoragePlacement {
  /**
   * The domain's space, `{environment}/{domain}` by default: every folder a
   * descriptor names is relative to it. Empty: directories are taken as written.
   */
  rootTemplate: string;
  /**
   * Platform prefixes (`artifacts` by default). No data product's folder may
   * equal, contain or lie inside one, so no grant ever reaches them; artifacts
   * may be read from them.
   */
  reservedPrefixes: readonly string[];
}

export const DEFAULT_ROOT_TEMPLATE = '{environment}/{domain}';
export const DEFAULT_RESERVED_PREFIXES: readonly string[] = ['artifacts'];
export const DEFAULT_STORAGE_PLACEMENT: StoragePlacement = {
  rootTemplate: DEFAULT_ROOT_TEMPLATE,
  reservedPrefixes: DEFAULT_RESERVED_PREFIXES,
};

/** The placeholders a root template may use, and what each is replaced by. */
const PLACEHOLDERS: Record<string, (ref: DataProductRef) => string> = {
  environment: (ref) => ref.environment,
  domain: (ref) => ref.domain,
  dataProduct: (ref) => ref.name,
  version: (ref) => ref.version,
};

/** One path segment of a key: what S3 folders and artifact keys may use (no wildcards, no control characters). */
export const KEY_SEGMENT = /^[A-Za-z0-9_.=-]+$/;
const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** Why a template cannot be used (an unknown placeholder, an empty or dot segment), or undefined. */
export function rootTemplateProblem(template: string): string | undefined {
  if (template === '') return undefined;
  for (const segment of template.split('/')) {
    if (segment === '') return 'must not have empty segments (no leading, trailing or double "/")';
    for (const [, name] of segment.matchAll(PLACEHOLDER)) {
      if (!name || !(name in PLACEHOLDERS)) {
        return `has an unknown placeholder {${name}}; use ${Object.keys(PLACEHOLDERS)
          .map((known) => `{${known}}`)
          .join(', ')}`;
      }
    }
    const literal = segment.replace(PLACEHOLDER, 'x');
    if (segment === '.' || segment === '..' || !KEY_SEGMENT.test(literal)) {
      return `segment "${segment}" may contain only placeholders, letters, digits and '_', '.', '=', '-'`;
    }
  }
  return undefined;
}

/** Why a configured platform prefix cannot be used, or undefined. */
export function reservedPrefixProblem(prefix: string): string | undefined {
  return keyPathProblem(prefix);
}

/**
 * The data product's root: the template with its placeholders replaced ('' for
 * an empty template). Names are validated before they get here, but a root
 * that could escape its place (an empty, "." or ".." segment) is refused anyway.
 */
export function renderRoot(template: string, ref: DataProductRef): { root: string } | { problem: string } {
  if (template === '') return { root: '' };
  const root = template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = PLACEHOLDERS[name];
    return value ? value(ref) : `{${name}}`;
  });
  const problem = keyPathProblem(root);
  return problem ? { problem: `the storage root "${root}" ${problem}` } : { root };
}

/** The real location of a directory the descriptor names: under the root, and clear of every platform prefix. */
export function placeFolder(
  placement: StoragePlacement,
  ref: DataProductRef,
  directory: string,
): { location: string } | { problem: string } {
  const rendered = renderRoot(placement.rootTemplate, ref);
  if ('problem' in rendered) return rendered;
  const { root } = rendered;
  if (root !== '' && prefixesOverlap(directory, root) && directory.length >= root.length) {
    // Most likely a descriptor written before directories were relative: it would land in root/root/….
    const relative = directory.slice(root.length + 1);
    return {
      problem: `directories are relative to this data product's space ${root}/: write ${relative === '' ? 'a folder inside it' : `"${relative}"`}, not "${directory}"`,
    };
  }
  const location = root === '' ? directory : `${root}/${directory}`;
  const reserved = placement.reservedPrefixes.find((prefix) => prefixesOverlap(prefix, location));
  if (reserved !== undefined) {
    return {
      problem: `the folder ${location}/ ${relation(location, reserved)} the platform prefix ${reserved}/, which no data product may use`,
    };
  }
  return { location };
}

/**
 * Whether a workload or observability endpoint may run this artifact: it lies
 * under the data product's own root (what only its domain can write), or under
 * a platform prefix (what only the platform writes). Undefined when it may.
 */
export function artifactPlacementProblem(
  placement: StoragePlacement,
  ref: DataProductRef,
  key: string,
): string | undefined {
  if (placement.reservedPrefixes.some((prefix) => key.startsWith(`${prefix}/`))) return undefined;
  const platform = placement.reservedPrefixes.map((prefix) => `${prefix}/`).join(', ');
  const rendered = renderRoot(placement.rootTemplate, ref);
  if ('problem' in rendered) return rendered.problem;
  if (rendered.root === '') {
    return `"${key.slice(0, 80)}" is not under a platform prefix (${platform}); with no storage root configured, only platform artifacts may be deployed`;
  }
  if (key.startsWith(`${rendered.root}/`)) return undefined;
  return `"${key.slice(0, 80)}" must lie under this domain's own prefix ${rendered.root}/ or under a platform prefix (${platform})`;
}

/** Whether two prefixes name the same folder or one lies inside the other (segment by segment: `a/b` is not inside `a/bc`). */
export function prefixesOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/** How `folder` stands to `other`, for messages: it equals, lies inside or contains it. */
export function relation(folder: string, other: string): string {
  if (folder === other) return 'is';
  return folder.startsWith(`${other}/`) ? 'lies inside' : 'contains';
}

/** Every proper ancestor of a prefix, nearest first: `a/b/c` → `a/b`, `a`. */
export function ancestorsOf(prefix: string): string[] {
  const segments = prefix.split('/');
  return segments
    .slice(0, -1)
    .map((_segment, index) => segments.slice(0, segments.length - 1 - index).join('/'));
}

function keyPathProblem(path: string): string | undefined {
  if (path === '') return 'must not be empty';
  for (const segment of path.split('/')) {
    if (segment === '') return 'must not have empty segments (no leading, trailing or double "/")';
    if (segment === '.' || segment === '..') return 'must not have "." or ".." segments';
    if (!KEY_SEGMENT.test(segment))
      return `segment "${segment}" may contain only letters, digits and '_', '.', '=', '-'`;
  }
  return undefined;
}
