import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_GOVERNANCE_POLICY } from '../../provisioner/provisioner-config.js';
import { ConfigError } from '../../shared/config/env-reader.js';
import { parseYamlDocument } from '../../shared/descriptor/source-document.js';
import type { DataProductDescriptor } from '../../shared/descriptor/types.js';
import { validateDescriptor } from '../../shared/descriptor/validate-descriptor.js';
import { evaluatePolicy } from '../../shared/governance/evaluate-policy.js';
import { loadGovernancePolicy } from '../../shared/governance/policy.js';

const catalog = {
  environments: () => ['test', 'production'],
  technologiesIn: () => ['s3', 's3cdp', 'event-store'],
};
const thesis = validateDescriptor(
  parseYamlDocument(readFileSync(new URL('../fixtures/thesis-example.yaml', import.meta.url), 'utf8')),
  catalog,
);
const strict = loadGovernancePolicy(
  new URL('../../governance/strict-production.yaml', import.meta.url).pathname,
);
const lenient = loadGovernancePolicy(DEFAULT_GOVERNANCE_POLICY);

const production = (
  overrides: Partial<DataProductDescriptor['outputPorts'][number]> = {},
): DataProductDescriptor => ({
  ...thesis,
  name: 'orders',
  domain: 'sales',
  environment: { name: 'production', specific: {} },
  outputPorts: [
    {
      kind: 'outputPort',
      name: 'raw',
      type: 'raw',
      technology: 's3',
      description: 'raw orders',
      owner: 'sales-owner',
      allow: ['sales-analysts'],
      dependsOn: [],
      specific: { bucket: 'b', directory: 'orders/raw' },
      ...overrides,
    },
  ],
});

describe('governance policies', () => {
  it('keep the thesis example valid under the default and the strict policy', () => {
    expect(evaluatePolicy(lenient, thesis)).toEqual([]);
    expect(evaluatePolicy(strict, thesis)).toEqual([]);
  });

  it('accept a production descriptor that follows every strict rule', () => {
    expect(evaluatePolicy(strict, production())).toEqual([]);
  });

  it('report each strict violation with its rule id, path and message', () => {
    const violations = evaluatePolicy(
      strict,
      production({
        description: undefined,
        owner: 'finance-owner',
        allow: ['sales-analysts', 'marketing-team'],
        specific: { bucket: 'b', directories: ['orders/ok', 'elsewhere/raw'] },
      }),
    );
    expect(violations.map(({ rule, path }) => `${rule} ${path}`).sort()).toEqual([
      'description-required /outputPorts/0/description',
      'domain-roles /outputPorts/0/allow/1',
      'domain-roles /outputPorts/0/owner',
      's3-prefix /outputPorts/0/specific/directories/1',
    ]);
    expect(violations.find((violation) => violation.rule === 's3-prefix')?.message).toMatch(
      /S3 folders live under .*"elsewhere\/raw" is not under orders\//,
    );
  });

  it('treats the domain as text, not a pattern, inside a role pattern', () => {
    const dotted = { ...production({ owner: 'saXes-owner', allow: [] }), domain: 's.les' };
    const violations = evaluatePolicy(strict, {
      ...dotted,
      outputPorts: dotted.outputPorts.map((port) => ({
        ...port,
        specific: { bucket: 'b', directory: 'orders/x' },
      })),
    });
    expect(violations.map((violation) => violation.rule)).toContain('domain-roles');
  });

  it('limits environments per domain and the number of resources', () => {
    const sandbox = { ...production(), domain: 'sandbox' };
    expect(evaluatePolicy(strict, sandbox).map((violation) => violation.rule)).toContain(
      'environments-per-domain',
    );
    const many = production();
    const [template] = production().outputPorts;
    if (!template) throw new Error('production() has an output port');
    many.outputPorts = Array.from({ length: 51 }, (_, index) => ({ ...template, name: `p${index}` }));
    expect(evaluatePolicy(strict, many).map((violation) => violation.rule)).toEqual(['max-resources']);
  });

  it('stops startup on an invalid policy file, naming the problems', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'dmp-policy-')), 'policy.yaml');
    writeFileSync(path, 'rules:\n  - id: Bad Id\n    message: x\n    kind: nope\n    params: {}\n');
    expect(() => loadGovernancePolicy(path)).toThrow(ConfigError);
    writeFileSync(path, "rules:\n  - {id: a, message: x, kind: rolePattern, params: {pattern: '('}}\n");
    expect(() => loadGovernancePolicy(path)).toThrow(/bad pattern/);
    writeFileSync(
      path,
      'rules:\n  - {id: a, message: x, kind: maxResources, params: {max: 1}}\n  - {id: a, message: y, kind: maxResources, params: {max: 2}}\n',
    );
    expect(() => loadGovernancePolicy(path)).toThrow(/rule a twice/);
  });
});
