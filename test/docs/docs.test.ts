import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  brokenLinks,
  environmentNamesIn,
  filesUnder,
  headingAnchors,
  type MarkdownFile,
  undocumentedNames,
} from '../support/doc-checks.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string): MarkdownFile => ({ path, text: readFileSync(`${root}/${path}`, 'utf8') });

const docs = filesUnder(root, 'docs', ['.md']).map(read);
const readme = read('README.md');
const benchmarks = read('BENCHMARKS.md');
/** The code that runs: every .ts source but the tests, and the artifacts' scripts. */
const sources = [
  ...filesUnder(root, '', ['.ts'], ['node_modules', 'test', 'dist', 'docs']),
  ...filesUnder(root, 'artifacts', ['.mjs']),
];

describe('the documentation', () => {
  it('has a README of at most 250 lines that links every page of docs/', () => {
    expect(readme.text.split('\n').length).toBeLessThanOrEqual(250);
    const linked = new Set(
      [...readme.text.matchAll(/\]\((docs\/[^)#\s]+)/g)].map((match) => match[1] as string),
    );
    expect(docs.map((page) => page.path).filter((path) => !linked.has(path))).toEqual([]);
  });

  it('has no relative link, in README.md, BENCHMARKS.md or docs/, to a missing file, a missing heading or outside the repository', () => {
    expect(brokenLinks(root, [readme, benchmarks, ...docs])).toEqual([]);
  });

  it('documents in docs/ every environment variable the code reads', () => {
    const names = new Set(
      sources.flatMap((path) => [...environmentNamesIn(readFileSync(`${root}/${path}`, 'utf8'))]),
    );
    expect(names.size).toBeGreaterThan(50);
    expect(undocumentedNames(names, docs.map((page) => page.text).join('\n'))).toEqual([]);
  });
});

describe('the documentation checks', () => {
  const files: MarkdownFile[] = [
    {
      path: 'docs/a.md',
      text: [
        '# Page A',
        '## The `dmp` CLI: exit codes',
        'See [b](b.md#next-steps), [self](#the-dmp-cli-exit-codes), [site](https://example.com/x).',
        'Broken: [gone](missing.md), [anchor](b.md#nowhere), [out](../../etc/passwd), [top](#page-b).',
        '`[not a link](missing.md)`',
        '```',
        '[not a link either](missing.md)',
        '```',
        '[ref]: ./b.md',
      ].join('\n'),
    },
    { path: 'docs/b.md', text: '# Page B\n## Next steps\n' },
  ];

  it('finds a missing file, a missing heading, and a link leaving the repository, each with its line', () => {
    // The pages are given, not on disk: links between them resolve, missing.md does not.
    const broken = brokenLinks(root, files).map(({ file, line, target, problem }) => ({
      file,
      line,
      target,
      problem,
    }));
    expect(broken).toEqual([
      { file: 'docs/a.md', line: 4, target: 'missing.md', problem: 'no such file' },
      { file: 'docs/a.md', line: 4, target: 'b.md#nowhere', problem: 'no heading #nowhere' },
      { file: 'docs/a.md', line: 4, target: '../../etc/passwd', problem: 'points outside the repository' },
      { file: 'docs/a.md', line: 4, target: '#page-b', problem: 'no heading #page-b' },
    ]);
  });

  it("computes GitHub's heading anchors", () => {
    expect([
      ...headingAnchors('# A: b, c\n## `--wait`\n## Twice\n## Twice\n```\n# not a heading\n```\n'),
    ]).toEqual(['a-b-c', '--wait', 'twice', 'twice-1']);
  });

  it('reads variable names from DMP_ names, EnvReader calls and process.env, and prefixes end with _', () => {
    const source = [
      "reader.integer('DMP_LEASE_MS', 30_000);",
      "reader.optionalString('AWS_REGION');",
      'process.env.AWS_LAMBDA_FUNCTION_NAME;',
      'io.env.NO_COLOR;',
      "const name = 'DMP_BENCH_' + flag.toUpperCase();",
    ].join('\n');
    expect([...environmentNamesIn(source)].sort()).toEqual([
      'AWS_LAMBDA_FUNCTION_NAME',
      'AWS_REGION',
      'DMP_BENCH_',
      'DMP_LEASE_MS',
      'NO_COLOR',
    ]);
  });

  it('reports a name documented nowhere, and a name only found inside a longer one', () => {
    const documentation = '`DMP_LEASE_MS_EXTRA` and `DMP_BENCH_<FLAG>` and AWS_REGION';
    expect(
      undocumentedNames(['DMP_LEASE_MS', 'DMP_BENCH_', 'AWS_REGION', 'NO_COLOR'], documentation),
    ).toEqual(['DMP_LEASE_MS', 'NO_COLOR']);
  });
});
