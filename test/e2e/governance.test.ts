import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descriptorYaml } from '../support/descriptors.js';
import { freePort } from '../support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

let platform: TestPlatform;

beforeAll(async () => {
  const policyPath = join(mkdtempSync(join(tmpdir(), 'dmp-governance-')), 'policy.yaml');
  writeFileSync(
    policyPath,
    [
      'rules:',
      '  - id: domain-roles',
      '    message: roles belong to the own domain',
      '    kind: rolePattern',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${domain} is the policy's own template syntax
      "    params: { pattern: '^${domain}-' }",
      '  - id: gated-only',
      '    message: this domain deploys gated resources only',
      '    kind: allowedTechnologies',
      '    params: { byDomain: { sales: [gated] } }',
    ].join('\n'),
  );
  platform = await startTestPlatform({
    deadPort: await freePort(),
    provisioner: { governancePolicyPath: policyPath },
  });
});
afterAll(async () => {
  await platform?.close();
});

describe('governance at validation', () => {
  it('refuses a descriptor that breaks the policy with 400 naming each rule, path and line, and writes nothing', async () => {
    const yaml = descriptorYaml('governed', [
      { name: 'a', allow: ['sales-reader', 'finance-spy'] },
      { name: 'b', technology: 's3', specific: { bucket: 'ms-datamesh-s3', directory: 'governed/b' } },
    ]);
    const response = await platform.api
      .post('/v1/dataproduct')
      .set('Content-Type', 'application/yaml')
      .send(yaml);
    expect(response.status).toBe(400);
    const lines = yaml.split('\n');
    expect(response.body.errors).toEqual([
      {
        rule: 'domain-roles',
        path: '/outputPorts/0/allow/1',
        line: lines.findIndex((line) => line.includes('finance-spy')) + 1,
        message: expect.stringMatching(/roles belong to the own domain.*finance-spy/),
      },
      {
        rule: 'gated-only',
        path: '/outputPorts/1/technology',
        line: lines.findIndex((line) => line.includes('technology: s3')) + 1,
        message: expect.stringMatching(/gated resources only/),
      },
    ]);
    expect((await platform.api.get('/v1/dataproduct/state/test/sales/governed/1.0.0')).status).toBe(404);
  });

  it('lets a compliant descriptor through', async () => {
    const response = await platform.api
      .post('/v1/dataproduct')
      .set('Content-Type', 'application/yaml')
      .send(descriptorYaml('compliant', [{ name: 'a', allow: ['sales-reader'] }]));
    expect(response.status).toBe(202);
  });
});
