import { readFileSync } from 'node:fs';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseJsonDocument, parseYamlDocument } from '../../shared/descriptor/source-document.js';
import type { DataProductDescriptor } from '../../shared/descriptor/types.js';
import { type TechnologyCatalog, validateDescriptor } from '../../shared/descriptor/validate-descriptor.js';
import { ValidationError, type ValidationIssue } from '../../shared/errors.js';

const TECHNOLOGIES: Record<string, string[]> = {
  test: ['s3cdp', 'lambda', 'cloudwatch'],
  dev: ['s3cdp'],
  empty: [],
};

const catalog: TechnologyCatalog = {
  environments: () => Object.keys(TECHNOLOGIES),
  technologiesIn: (environment) => TECHNOLOGIES[environment],
};

const REGISTERED_IN_TEST = 's3cdp, lambda, cloudwatch';
const ROLE_MESSAGE = "must be an IAM role name: letters, digits and '+=,.@_-' only";
const NAME_MESSAGE = "must contain only letters, digits, '_', '-' and '.' (and not be '.' or '..')";
const VERSION_MESSAGE = 'must be a version MAJOR.MINOR.PATCH, such as 1.0.0';

type Raw = Record<string, unknown>;

/** A valid workload, with `overrides` merged in (`undefined` removes a key). */
function workload(name: string, overrides: Raw = {}): Raw {
  return withoutUndefined({ name, type: 'job', technology: 'lambda', owner: 'dmp-owner', ...overrides });
}

function outputPort(name: string, overrides: Raw = {}): Raw {
  return withoutUndefined({ name, type: 'raw', technology: 's3cdp', owner: 'dmp-owner', ...overrides });
}

function observability(name: string, overrides: Raw = {}): Raw {
  return withoutUndefined({ name, type: 'dashboard', technology: 'cloudwatch', ...overrides });
}

/** A valid descriptor with one workload, with top-level `overrides` merged in (`undefined` removes a key). */
function descriptor(overrides: Raw = {}): Raw {
  return withoutUndefined({
    name: 'orders',
    domain: 'sales',
    version: '1.0.0',
    environment: { name: 'test' },
    workloads: [workload('loader')],
    ...overrides,
  });
}

function withoutUndefined(raw: Raw): Raw {
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
}

/** Serialises to YAML text, so that every test goes through the YAML parser users' requests go through. */
function yamlOf(raw: unknown): string {
  return dump(raw);
}

function validateYaml(text: string): DataProductDescriptor {
  return validateDescriptor(parseYamlDocument(text), catalog);
}

function errorOf(action: () => unknown): ValidationError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, but validation passed');
}

function issuesOfYaml(text: string): ValidationIssue[] {
  return errorOf(() => validateYaml(text)).issues;
}

function issuesOf(raw: unknown): ValidationIssue[] {
  return issuesOfYaml(yamlOf(raw));
}

/** Issues without their line, for tests about what is reported rather than where. */
function problemsOf(raw: unknown): { path: string; message: string }[] {
  return issuesOf(raw).map(({ path, message }) => ({ path, message }));
}

/** The 1-based line of the only line of `text` that contains (or matches) `needle`. */
function lineOf(text: string, needle: string | RegExp): number {
  const lines = text.split('\n');
  const found = (line: string) => (typeof needle === 'string' ? line.includes(needle) : needle.test(line));
  const matches = lines.flatMap((line, index) => (found(line) ? [index + 1] : []));
  if (matches.length !== 1) {
    throw new Error(`expected one line containing ${JSON.stringify(needle)}, found ${matches.length}`);
  }
  return matches[0] as number;
}

function byPath(a: ValidationIssue, b: ValidationIssue): number {
  return a.path.localeCompare(b.path) || a.message.localeCompare(b.message);
}

describe('validateDescriptor', () => {
  describe('accepting valid descriptors', () => {
    it('accepts the thesis example verbatim and normalises resourceType to type', () => {
      const text = readFileSync(new URL('../fixtures/thesis-example.yaml', import.meta.url), 'utf8');

      const result = validateYaml(text);

      expect(result).toStrictEqual({
        name: 'test_name',
        domain: 'test_domain',
        version: '1.0.1',
        environment: { name: 'test', specific: {} },
        outputPorts: [
          {
            kind: 'outputPort',
            name: 'test_s3',
            type: 'raw',
            technology: 's3cdp',
            description: 'my s3 directory',
            owner: 'dmp-test-owner',
            allow: ['dmp-test-1', 'dmp-test-2'],
            dependsOn: [],
            specific: { directory: 'test_dir/full', bucket: 'ms-datamesh-s3' },
          },
        ],
        workloads: [],
        observability: [],
      });
    });

    it('accepts the thesis spelling outputports and returns the resources under outputPorts', () => {
      const raw = descriptor({ workloads: undefined, outputports: [outputPort('files')] });

      const result = validateYaml(yamlOf(raw));

      expect(result.outputPorts.map(({ kind, name }) => ({ kind, name }))).toEqual([
        { kind: 'outputPort', name: 'files' },
      ]);
      expect(result).not.toHaveProperty('outputports');
    });

    it('accepts type spelled either type or resourceType', () => {
      const raw = descriptor({
        workloads: [
          workload('a', { type: 'batch' }),
          workload('b', { type: undefined, resourceType: 'stream' }),
        ],
      });

      const result = validateYaml(yamlOf(raw));

      expect(result.workloads.map((resource) => resource.type)).toEqual(['batch', 'stream']);
      expect(result.workloads[1]).not.toHaveProperty('resourceType');
    });

    it('fills in the optional fields a resource leaves out', () => {
      const raw = descriptor({ workloads: undefined, observability: [observability('metrics')] });

      const result = validateYaml(yamlOf(raw));

      expect(result.environment).toStrictEqual({ name: 'test', specific: {} });
      expect(result.outputPorts).toEqual([]);
      expect(result.workloads).toEqual([]);
      expect(result.observability).toStrictEqual([
        {
          kind: 'observability',
          name: 'metrics',
          type: 'dashboard',
          technology: 'cloudwatch',
          allow: [],
          dependsOn: [],
          specific: {},
        },
      ]);
    });

    it('keeps dependencies between resources of different lists in their written order', () => {
      const raw = descriptor({
        outputPorts: [outputPort('files')],
        workloads: [workload('loader', { dependsOn: ['metrics', 'files'] })],
        observability: [observability('metrics', { dependsOn: ['files'] })],
      });

      const result = validateYaml(yamlOf(raw));

      expect(result.workloads[0]?.dependsOn).toEqual(['metrics', 'files']);
      expect(result.observability[0]?.dependsOn).toEqual(['files']);
    });

    it('treats specific as free-form, at the environment and at each resource', () => {
      const environmentSpecific = { region: 'eu-west-1', tags: [{ team: 'a' }], 'odd key': null };
      const resourceSpecific = { nested: { deeper: [1, 2, { x: true }] }, 'with space': 'yes', n: 3.5 };
      const raw = descriptor({
        environment: { name: 'test', specific: environmentSpecific },
        workloads: [workload('loader', { specific: resourceSpecific })],
      });

      const result = validateYaml(yamlOf(raw));

      expect(result.environment.specific).toEqual(environmentSpecific);
      expect(result.workloads[0]?.specific).toEqual(resourceSpecific);
    });

    it('accepts IAM role names that use every allowed punctuation mark', () => {
      const raw = descriptor({
        workloads: [workload('loader', { owner: 'Role+=,.@_-9', allow: ['a', 'b.c@d', 'x'.repeat(64)] })],
      });

      const result = validateYaml(yamlOf(raw));

      expect(result.workloads[0]?.owner).toBe('Role+=,.@_-9');
      expect(result.workloads[0]?.allow).toEqual(['a', 'b.c@d', 'x'.repeat(64)]);
    });
  });

  describe('reporting problems', () => {
    it('reports every problem at once, each with its JSON pointer and the line of the YAML', () => {
      const text = [
        'name: sales orders',
        'domain: ""',
        'version: 1.0',
        'environment:',
        '  name: test',
        'outputPorts:',
        '  - name: orders # declared first',
        '    type: table',
        '    technology: s3cdp',
        '    owner: "*"',
        '    dependson: [ingest]',
        'workloads:',
        '  - name: orders # declared again',
        '    type: job',
        '    technology: lambda',
        '    owner: dmp-loader',
        '    dependsOn: [missing]',
        '  - name: ingest',
        '    technology: glue',
        '    owner: dmp-ingest',
        'observability:',
        '  - name: metrics',
        '    type: dashboard',
        '    technology: cloudwatch',
        '    allow: [dmp-viewer]',
        '    dependsOn: [metrics]',
        '',
      ].join('\n');

      const error = errorOf(() => validateYaml(text));

      const expected: ValidationIssue[] = [
        { path: '/name', message: NAME_MESSAGE, line: lineOf(text, 'name: sales orders') },
        { path: '/domain', message: 'must not be empty', line: lineOf(text, 'domain:') },
        {
          path: '/version',
          message:
            'must be a string; YAML read 1 as a number: quote it and give major.minor.patch, e.g. version: "1.0.0"',
          line: lineOf(text, 'version:'),
        },
        { path: '/outputPorts/0/owner', message: ROLE_MESSAGE, line: lineOf(text, 'owner: "*"') },
        {
          path: '/outputPorts/0/dependson',
          message: 'unknown key "dependson"; did you mean "dependsOn"?',
          line: lineOf(text, 'dependson:'),
        },
        {
          path: '/workloads/0/name',
          message:
            'duplicate resource name "orders": already used at /outputPorts/0; names are unique across outputPorts, workloads and observability',
          line: lineOf(text, 'declared again'),
        },
        {
          path: '/workloads/0/dependsOn/0',
          message: '"missing" is not a resource of this data product (resources: orders, ingest, metrics)',
          line: lineOf(text, 'dependsOn: [missing]'),
        },
        {
          // `type` is absent, so the line is the one of the resource itself.
          path: '/workloads/1/type',
          message: 'is required (the spelling resourceType is accepted too)',
          line: lineOf(text, '- name: ingest'),
        },
        {
          path: '/workloads/1/technology',
          message: `technology "glue" is not registered for workload resources in environment "test" (registered: ${REGISTERED_IN_TEST})`,
          line: lineOf(text, 'technology: glue'),
        },
        {
          path: '/observability/0/allow',
          message:
            'observability resources take no allow: their endpoints are not granted per role; remove it',
          line: lineOf(text, 'allow:'),
        },
        {
          path: '/observability/0/dependsOn',
          message: 'dependency cycle: metrics → metrics',
          line: lineOf(text, 'dependsOn: [metrics]'),
        },
      ];
      expect(error.message).toBe('The data product descriptor is invalid (11 problems)');
      expect([...error.issues].sort(byPath)).toEqual([...expected].sort(byPath));
    });

    it('reports the same problems without lines for a JSON document', () => {
      const raw = descriptor({
        version: '1.0',
        workloads: [workload('loader', { technology: 'glue', dependsOn: ['ghost'] })],
      });

      const issues = errorOf(() =>
        validateDescriptor(parseJsonDocument(JSON.stringify(raw, null, 2)), catalog),
      ).issues;

      expect([...issues].sort(byPath)).toStrictEqual([
        { path: '/version', message: VERSION_MESSAGE },
        {
          path: '/workloads/0/dependsOn/0',
          message: '"ghost" is not a resource of this data product (resources: loader)',
        },
        {
          path: '/workloads/0/technology',
          message: `technology "glue" is not registered for workload resources in environment "test" (registered: ${REGISTERED_IN_TEST})`,
        },
      ]);
    });

    it('counts a single problem in the singular', () => {
      const error = errorOf(() => validateYaml(yamlOf(descriptor({ version: '1.0' }))));

      expect(error.message).toBe('The data product descriptor is invalid (1 problem)');
      expect(error.issues).toHaveLength(1);
    });

    it('rejects a document that is not a mapping with a single problem', () => {
      expect(issuesOfYaml('- name: orders\n')).toEqual([{ path: '', message: 'must be an object', line: 1 }]);
    });
  });

  describe('top-level fields', () => {
    it('reports a missing name as required, on the line of the document', () => {
      const text = yamlOf(descriptor({ name: undefined }));

      expect(issuesOfYaml(text)).toEqual([{ path: '/name', message: 'is required', line: 1 }]);
    });

    it('reports every missing required top-level field', () => {
      const problems = problemsOf({ workloads: [workload('loader')] });

      expect(problems).toEqual(
        ['/name', '/domain', '/version', '/environment'].map((path) => ({ path, message: 'is required' })),
      );
    });

    it('requires the environment to have a name', () => {
      expect(problemsOf(descriptor({ environment: { specific: {} } }))).toEqual([
        { path: '/environment/name', message: 'is required' },
      ]);
    });

    it('reports empty name, domain and environment name as empty, and nothing more', () => {
      const text = yamlOf(descriptor({ name: '', domain: '', environment: { name: '' } }));

      expect(issuesOfYaml(text)).toEqual([
        { path: '/name', message: 'must not be empty', line: lineOf(text, /^name:/) },
        { path: '/domain', message: 'must not be empty', line: lineOf(text, 'domain:') },
        { path: '/environment/name', message: 'must not be empty', line: lineOf(text, "  name: ''") },
      ]);
    });

    it('rejects an empty version as not being a version', () => {
      expect(problemsOf(descriptor({ version: '' }))).toEqual([
        { path: '/version', message: VERSION_MESSAGE },
      ]);
    });

    it.each(['sales orders', 'sales/orders', 'ventes-été', 'a:b', '.', '..', 'tab\there'])(
      'rejects the name and domain %j, which use characters outside the allowed set',
      (value) => {
        expect(problemsOf(descriptor({ name: value, domain: value }))).toEqual([
          { path: '/name', message: NAME_MESSAGE },
          { path: '/domain', message: NAME_MESSAGE },
        ]);
      },
    );

    it('accepts names and domains of letters, digits, "_", "-" and "."', () => {
      const result = validateYaml(yamlOf(descriptor({ name: 'Orders_v2.daily-1', domain: '...' })));

      expect(result.name).toBe('Orders_v2.daily-1');
      expect(result.domain).toBe('...');
    });

    it.each(['1.0', '1.0.0.1', '01.0.0', 'v1.0.0', '1.0.0-beta', '1..0', ' 1.0.0'])(
      'rejects the version %j, which is not MAJOR.MINOR.PATCH',
      (version) => {
        expect(problemsOf(descriptor({ version }))).toEqual([{ path: '/version', message: VERSION_MESSAGE }]);
      },
    );

    it.each(['0.0.0', '1.0.0', '10.20.30'])('accepts the version %j', (version) => {
      expect(validateYaml(yamlOf(descriptor({ version }))).version).toBe(version);
    });

    it('rejects an unquoted YAML version 1.0, which YAML reads as a number', () => {
      const text = yamlOf(descriptor()).replace('version: 1.0.0', 'version: 1.0');
      expect(text).toContain('version: 1.0\n');

      expect(issuesOfYaml(text)).toEqual([
        {
          path: '/version',
          message:
            'must be a string; YAML read 1 as a number: quote it and give major.minor.patch, e.g. version: "1.0.0"',
          line: lineOf(text, 'version:'),
        },
      ]);
    });

    it('rejects an unknown environment, listing the registered ones, without judging technologies', () => {
      const raw = descriptor({
        environment: { name: 'prod' },
        workloads: [workload('loader', { technology: 'not-anywhere' })],
      });

      expect(problemsOf(raw)).toEqual([
        {
          path: '/environment/name',
          message: 'environment "prod" is not registered in discovery (registered: test, dev, empty)',
        },
      ]);
    });

    it('says "none" when no environment is registered at all', () => {
      const noEnvironments: TechnologyCatalog = { environments: () => [], technologiesIn: () => undefined };

      const error = errorOf(() =>
        validateDescriptor(parseYamlDocument(yamlOf(descriptor())), noEnvironments),
      );

      expect(error.issues.map((issue) => issue.message)).toEqual([
        'environment "test" is not registered in discovery (registered: none)',
      ]);
    });

    it('rejects unknown top-level and environment keys, naming the closest known key', () => {
      const raw = descriptor({
        workloads: undefined,
        workload: [workload('loader')],
        environment: { name: 'test', specifc: {} },
      });

      expect(problemsOf(raw)).toEqual(
        expect.arrayContaining([
          { path: '/workload', message: 'unknown key "workload"; did you mean "workloads"?' },
          { path: '/environment/specifc', message: 'unknown key "specifc"; did you mean "specific"?' },
        ]),
      );
    });

    it('rejects a specific that is not a mapping', () => {
      expect(problemsOf(descriptor({ environment: { name: 'test', specific: ['a'] } }))).toEqual([
        { path: '/environment/specific', message: 'must be an object' },
      ]);
    });
  });

  describe('resource lists', () => {
    it('requires at least one resource when every list is empty or absent', () => {
      const message = 'a data product needs at least one resource in outputPorts, workloads or observability';

      expect(problemsOf(descriptor({ workloads: undefined }))).toEqual([{ path: '', message }]);
      expect(problemsOf(descriptor({ outputPorts: [], workloads: [], observability: [] }))).toEqual([
        { path: '', message },
      ]);
    });

    it('rejects outputPorts and outputports given together', () => {
      const text = yamlOf(
        descriptor({ outputPorts: [outputPort('files')], outputports: [outputPort('other-files')] }),
      );

      expect(issuesOfYaml(text)).toEqual([
        {
          path: '/outputports',
          message: 'give either outputPorts or outputports, not both',
          line: lineOf(text, 'outputports:'),
        },
      ]);
    });

    it('rejects a resource name used in both outputPorts and workloads, pointing at the second use', () => {
      const raw = descriptor({ outputPorts: [outputPort('shared')], workloads: [workload('shared')] });

      expect(problemsOf(raw)).toEqual([
        {
          path: '/workloads/0/name',
          message:
            'duplicate resource name "shared": already used at /outputPorts/0; names are unique across outputPorts, workloads and observability',
        },
      ]);
    });

    it('rejects a resource name repeated between workloads and observability and inside one list', () => {
      const raw = descriptor({
        workloads: [workload('a'), workload('a')],
        observability: [observability('a')],
      });

      const rule = 'names are unique across outputPorts, workloads and observability';
      expect(problemsOf(raw)).toEqual([
        {
          path: '/workloads/1/name',
          message: `duplicate resource name "a": already used at /workloads/0; ${rule}`,
        },
        {
          path: '/observability/0/name',
          message: `duplicate resource name "a": already used at /workloads/0; ${rule}`,
        },
      ]);
    });

    it('requires a type, mentioning the resourceType spelling', () => {
      expect(problemsOf(descriptor({ workloads: [workload('loader', { type: undefined })] }))).toEqual([
        { path: '/workloads/0/type', message: 'is required (the spelling resourceType is accepted too)' },
      ]);
    });

    it('rejects type and resourceType given together', () => {
      const raw = descriptor({ workloads: [workload('loader', { resourceType: 'job' })] });

      expect(problemsOf(raw)).toEqual([
        { path: '/workloads/0/resourceType', message: 'give either type or resourceType, not both' },
      ]);
    });

    it('requires name and technology on every resource', () => {
      const raw = descriptor({
        workloads: [workload('loader', { name: undefined })],
        observability: [observability('metrics', { technology: undefined })],
      });

      expect(problemsOf(raw)).toEqual([
        { path: '/workloads/0/name', message: 'is required' },
        { path: '/observability/0/technology', message: 'is required' },
      ]);
    });

    it('rejects a technology not registered for the environment, listing the registered ones', () => {
      const raw = descriptor({
        environment: { name: 'dev' },
        outputPorts: [outputPort('files', { technology: 'lambda' }), outputPort('kept')],
      });

      expect(problemsOf(raw)).toEqual([
        {
          path: '/outputPorts/0/technology',
          message:
            'technology "lambda" is not registered for outputPort resources in environment "dev" (registered: s3cdp)',
        },
        {
          path: '/workloads/0/technology',
          message:
            'technology "lambda" is not registered for workload resources in environment "dev" (registered: s3cdp)',
        },
      ]);
    });

    it('says "none" when the environment has no technologies', () => {
      expect(problemsOf(descriptor({ environment: { name: 'empty' } }))).toEqual([
        {
          path: '/workloads/0/technology',
          message:
            'technology "lambda" is not registered for workload resources in environment "empty" (registered: none)',
        },
      ]);
    });

    it('rejects a resource that is not a mapping', () => {
      expect(problemsOf(descriptor({ workloads: [workload('loader'), 'other'] }))).toEqual([
        { path: '/workloads/1', message: 'must be an object' },
      ]);
    });
  });

  describe('dependencies', () => {
    it('rejects a dependency on an unknown resource, listing the known resources', () => {
      const raw = descriptor({
        outputPorts: [outputPort('files')],
        workloads: [workload('loader', { dependsOn: ['files', 'fils'] })],
        observability: [observability('metrics')],
      });

      expect(problemsOf(raw)).toEqual([
        {
          path: '/workloads/0/dependsOn/1',
          message: '"fils" is not a resource of this data product (resources: files, loader, metrics)',
        },
      ]);
    });

    it('names a cycle a → b → c → a, at the dependsOn of its first resource', () => {
      const text = [
        'name: orders',
        'domain: sales',
        'version: 1.0.0',
        'environment: { name: test }',
        'workloads:',
        '  - { name: a, type: job, technology: lambda, owner: r, dependsOn: [b] }',
        '  - { name: b, type: job, technology: lambda, owner: r, dependsOn: [c] }',
        '  - { name: c, type: job, technology: lambda, owner: r, dependsOn: [a] }',
        '  - { name: d, type: job, technology: lambda, owner: r, dependsOn: [a] }',
        '',
      ].join('\n');

      expect(issuesOfYaml(text)).toEqual([
        {
          path: '/workloads/0/dependsOn',
          message: 'dependency cycle: a → b → c → a',
          line: lineOf(text, '{ name: a,'),
        },
      ]);
    });

    it('names a resource that depends on itself as a cycle', () => {
      const raw = descriptor({ workloads: [workload('loader'), workload('self', { dependsOn: ['self'] })] });

      expect(problemsOf(raw)).toEqual([
        { path: '/workloads/1/dependsOn', message: 'dependency cycle: self → self' },
      ]);
    });

    it('reports each of two independent cycles', () => {
      const raw = descriptor({
        workloads: [workload('a', { dependsOn: ['b'] }), workload('b', { dependsOn: ['a'] })],
        observability: [observability('m', { dependsOn: ['n'] }), observability('n', { dependsOn: ['m'] })],
      });

      expect(problemsOf(raw).map((problem) => problem.message)).toEqual(
        expect.arrayContaining(['dependency cycle: a → b → a', 'dependency cycle: m → n → m']),
      );
      expect(problemsOf(raw)).toHaveLength(2);
    });

    it('reports a dependency chain far longer than allowed as a problem instead of crashing', () => {
      // Within the parser's limits (under 50,000 values, under 1 MiB) but far beyond maxItems:
      // each workload depends on the next, so a recursive graph search would go 6,000 levels deep.
      const count = 6_000;
      const lines = [
        'name: orders',
        'domain: sales',
        'version: 1.0.0',
        'environment: { name: test }',
        'workloads:',
      ];
      for (let index = 0; index < count; index += 1) {
        const dependsOn = index + 1 < count ? `n${index + 1}` : '';
        lines.push(
          `  - { name: n${index}, type: job, technology: lambda, owner: r, dependsOn: [${dependsOn}] }`,
        );
      }

      const issues = issuesOfYaml(lines.join('\n'));

      expect(issues).toEqual([
        {
          path: '/workloads',
          message: 'must NOT have more than 200 items',
          line: lineOf(lines.join('\n'), 'workloads:'),
        },
      ]);
    });

    it('rejects a dependency listed twice', () => {
      const raw = descriptor({
        workloads: [workload('a'), workload('b', { dependsOn: ['a', 'a'] })],
      });

      expect(problemsOf(raw)).toEqual([
        { path: '/workloads/1/dependsOn', message: 'must not repeat a value (items 1 and 0 are equal)' },
      ]);
    });
  });

  describe('unknown resource keys', () => {
    it.each([
      ['dependson', 'dependsOn'],
      ['ownr', 'owner'],
      ['technolgy', 'technology'],
      ['resource_type', 'resourceType'],
      ['descripton', 'description'],
      ['allowed', 'allow'],
    ])('rejects %j on a workload, suggesting %j', (key, suggestion) => {
      const raw = descriptor({ workloads: [workload('loader', { [key]: 'x' })] });

      expect(problemsOf(raw)).toContainEqual({
        path: `/workloads/0/${key}`,
        message: `unknown key "${key}"; did you mean "${suggestion}"?`,
      });
    });

    it('lists the known keys when no known key is close', () => {
      const raw = descriptor({ workloads: [workload('loader', { colour: 'blue' })] });

      expect(problemsOf(raw)).toEqual([
        {
          path: '/workloads/0/colour',
          message:
            'unknown key "colour"; known keys: name, type, resourceType, technology, description, dependsOn, specific, owner, allow',
        },
      ]);
    });

    it('escapes "/" and "~" of an unknown key in its JSON pointer and still finds its line', () => {
      const text = yamlOf(descriptor({ workloads: [workload('loader', { 'a/b~c': 1 })] }));

      const issues = issuesOfYaml(text);

      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ path: '/workloads/0/a~1b~0c', line: lineOf(text, 'a/b~c') });
    });
  });

  describe('owner and allow', () => {
    it('requires an owner on output ports and workloads', () => {
      const raw = descriptor({
        outputPorts: [outputPort('files', { owner: undefined })],
        workloads: [workload('loader', { owner: undefined })],
      });

      expect(problemsOf(raw)).toEqual([
        { path: '/outputPorts/0/owner', message: 'is required' },
        { path: '/workloads/0/owner', message: 'is required' },
      ]);
    });

    it('rejects owner and allow on an observability resource', () => {
      const text = yamlOf(
        descriptor({
          observability: [observability('metrics', { owner: 'dmp-metrics-owner', allow: ['dmp-reader'] })],
        }),
      );

      const issues = issuesOfYaml(text);

      expect(issues.map(({ path, line }) => ({ path, line }))).toEqual([
        { path: '/observability/0/owner', line: lineOf(text, 'owner: dmp-metrics-owner') },
        { path: '/observability/0/allow', line: lineOf(text, 'allow:') },
      ]);
      for (const issue of issues)
        expect(issue.message).toMatch(/^observability resources take no (owner|allow)/);
    });

    it.each([
      ['a wildcard', '*'],
      ['an ARN', 'arn:aws:iam::123456789012:role/dmp-reader'],
      ['a space', 'dmp reader'],
      ['a newline', 'dmp\nreader'],
      ['a trailing newline', 'dmp-reader\n'],
      ['a path', 'team/dmp-reader'],
      ['a name longer than 64 characters', 'x'.repeat(65)],
    ])('rejects %s as owner and in allow', (_label, role) => {
      const raw = descriptor({ workloads: [workload('loader', { owner: role, allow: ['dmp-ok', role] })] });

      const problems = problemsOf(raw);

      expect(problems.map((problem) => problem.path)).toEqual(['/workloads/0/owner', '/workloads/0/allow/1']);
      for (const problem of problems) {
        expect(problem.message).toBe(
          role.length > 64 ? 'must NOT have more than 64 characters' : ROLE_MESSAGE,
        );
      }
    });

    it('rejects a role written as a YAML block scalar, which keeps its trailing newline', () => {
      const text = [
        'name: orders',
        'domain: sales',
        'version: 1.0.0',
        'environment:',
        '  name: test',
        'workloads:',
        '  - name: loader',
        '    type: job',
        '    technology: lambda',
        '    owner: |',
        '      dmp-owner',
        '',
      ].join('\n');

      expect(issuesOfYaml(text)).toEqual([
        { path: '/workloads/0/owner', message: ROLE_MESSAGE, line: lineOf(text, 'owner: |') },
      ]);
    });

    it('rejects an empty owner as empty', () => {
      expect(problemsOf(descriptor({ workloads: [workload('loader', { owner: '' })] }))).toEqual([
        { path: '/workloads/0/owner', message: 'must not be empty' },
      ]);
    });

    it('rejects a role listed twice in allow', () => {
      const raw = descriptor({ workloads: [workload('loader', { allow: ['r1', 'r2', 'r1'] })] });

      expect(problemsOf(raw)).toEqual([
        { path: '/workloads/0/allow', message: 'must not repeat a value (items 2 and 0 are equal)' },
      ]);
    });
  });
});

describe('hints for common slips', () => {
  it.each([
    [1, '1.0.0'],
    [1.5, '1.5.0'],
  ])('explains that YAML read the version %j as a number, and how to write it', (version, suggestion) => {
    expect(problemsOf(descriptor({ version }))).toEqual([
      {
        path: '/version',
        message: `must be a string; YAML read ${version} as a number: quote it and give major.minor.patch, e.g. version: "${suggestion}"`,
      },
    ]);
  });

  it('says observability resources take no owner or allow, instead of listing known keys', () => {
    const raw = descriptor({ observability: [observability('status', { owner: 'x', allow: ['y'] })] });

    expect(problemsOf(raw).sort(byPath)).toEqual([
      {
        path: '/observability/0/allow',
        message: 'observability resources take no allow: their endpoints are not granted per role; remove it',
      },
      {
        path: '/observability/0/owner',
        message: 'observability resources take no owner: their endpoints are not granted per role; remove it',
      },
    ]);
  });

  it('lists at most 100 problems, the last saying how many more there are, and counts them all', () => {
    const workloads = Array.from({ length: 150 }, (_, index) =>
      workload(`w${index}`, { technology: 'glue' }),
    );

    const error = errorOf(() => validateYaml(yamlOf(descriptor({ workloads }))));

    expect(error.message).toBe('The data product descriptor is invalid (150 problems)');
    expect(error.issues).toHaveLength(100);
    expect(error.issues[99]).toMatchObject({
      path: '',
      message: '51 more problems not listed; fix these first',
    });
  });
});
