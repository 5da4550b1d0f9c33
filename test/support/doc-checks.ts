import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** A Markdown file: its path relative to the repository and its text. */
export interface MarkdownFile {
  path: string;
  text: string;
}

export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  problem: string;
}

/** The text with the lines of fenced code blocks blanked (line numbers stay). */
function outsideFences(text: string): string {
  let fenced = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

/** The text outside fenced code blocks and inline code: links shown as code are examples, not links. */
function withoutCode(text: string): string {
  return outsideFences(text).replace(/`[^`\n]*`/g, (code) => ' '.repeat(code.length));
}

/** Inline links and images `[text](target "title")` and reference definitions `[id]: target`, with their lines. */
export function linksOf(text: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  withoutCode(text)
    .split('\n')
    .forEach((content, index) => {
      for (const match of content.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        links.push({ target: match[1] as string, line: index + 1 });
      }
      const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(content);
      if (definition) links.push({ target: definition[1] as string, line: index + 1 });
    });
  return links;
}

/** GitHub's anchors for a Markdown text's headings: lower case, punctuation dropped, spaces to `-`, repeats numbered. */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of outsideFences(text).split('\n')) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = (heading[1] as string)
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/**
 * Every relative link of the files that does not resolve: a path that is not
 * a file or folder of the repository (or lies outside it), or an anchor that
 * is no heading of the Markdown file it names. Links with a scheme
 * (https:, mailto:) are not checked: the network is not the repository's.
 */
export function brokenLinks(root: string, files: readonly MarkdownFile[]): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const given = (absolute: string) => files.find((file) => resolve(root, file.path) === absolute);
  const textOf = (absolute: string) => given(absolute)?.text ?? readFileSync(absolute, 'utf8');
  for (const file of files) {
    for (const { target, line } of linksOf(file.text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const report = (problem: string) => broken.push({ file: file.path, line, target, problem });
      const [pathPart = '', anchor] = target.split('#', 2);
      const absolute =
        pathPart === '' ? resolve(root, file.path) : resolve(root, dirname(file.path), decodeURI(pathPart));
      const inside = relative(root, absolute);
      if (inside.startsWith('..') || inside.startsWith(sep)) {
        report('points outside the repository');
        continue;
      }
      if (!given(absolute) && !existsSync(absolute)) {
        report('no such file');
        continue;
      }
      const isMarkdownFile = absolute.endsWith('.md') && (given(absolute) || statSync(absolute).isFile());
      if (anchor !== undefined && anchor !== '' && isMarkdownFile) {
        if (!headingAnchors(textOf(absolute)).has(anchor)) report(`no heading #${anchor}`);
      }
    }
  }
  return broken;
}

/** Environment variable names a source text reads: every DMP_ name, and other names read through EnvReader or process.env. */
export function environmentNamesIn(source: string): Set<string> {
  const names = new Set<string>();
  for (const match of source.matchAll(/\bDMP_[A-Z0-9_]+/g)) names.add(match[0]);
  const readers =
    /\.(?:string|optionalString|integer|port|url|list|oneOf|matching|require)\(\s*'([A-Z][A-Z0-9_]+)'/g;
  for (const match of source.matchAll(readers)) names.add(match[1] as string);
  for (const match of source.matchAll(/\b(?:process\.)?env\.([A-Z][A-Z0-9_]+)\b/g))
    names.add(match[1] as string);
  return names;
}

/**
 * The names no documentation text mentions. A name ending in `_` is a prefix
 * the code builds names from (`DMP_BENCH_`, `DMP_DEP_`): the documentation
 * must mention the prefix; any other name must appear as a whole word.
 */
export function undocumentedNames(names: Iterable<string>, documentation: string): string[] {
  return [...names]
    .filter((name) =>
      name.endsWith('_') ? !documentation.includes(name) : !new RegExp(`\\b${name}\\b`).test(documentation),
    )
    .sort();
}

/** Files under `dir` (relative to root) whose names end with one of `extensions`, skipping `skip` folders. */
export function filesUnder(
  root: string,
  dir: string,
  extensions: readonly string[],
  skip: readonly string[] = [],
): string[] {
  const found: string[] = [];
  const walk = (relativeDir: string) => {
    for (const entry of readdirSync(join(root, relativeDir), { withFileTypes: true })) {
      const path = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!skip.includes(entry.name) && !entry.name.startsWith('.')) walk(path);
      } else if (extensions.some((extension) => entry.name.endsWith(extension))) found.push(path);
    }
  };
  walk(dir);
  return found.sort();
}
