import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DmpStack } from '../../lib/dmp-stack.js';
import { MICROSERVICES } from '../../lib/names.js';
import { resolveSettings } from '../../lib/settings.js';

/** CloudFormation JSON, read by path in tests: its shape is the template's, checked by the assertions themselves. */
// biome-ignore lint/suspicious/noExplicitAny: a template is untyped JSON
export type Cfn = any;

export interface Synthesized {
  stack: DmpStack;
  template: Template;
  /** The template as CloudFormation reads it. */
  json: Cfn;
  text: string;
  outdir: string;
  zipDir: string;
  /** Bytes of each placeholder zip, by microservice. */
  zips: Record<string, string>;
}

/**
 * One environment's stack, synthesized offline into a temporary cloud
 * assembly, with placeholder zips standing in for `npm run package:lambda`
 * (each with different bytes, so a function pointing at the wrong zip shows).
 * Bundling of the stack's own handlers is skipped: `npm run synth` does it.
 */
export function synthStack(dmpContext: Record<string, unknown> = {}, environment = 'test'): Synthesized {
  const zipDir = mkdtempSync(join(tmpdir(), 'dmp-zips-'));
  const zips: Record<string, string> = {};
  for (const service of MICROSERVICES) {
    zips[service] = `placeholder package of ${service}`;
    writeFileSync(join(zipDir, `${service}.zip`), zips[service]);
  }
  const outdir = mkdtempSync(join(tmpdir(), 'dmp-cdk-out-'));
  // CloudFormation Validate runs in npm run synth; the tests check the template themselves.
  const app = new App({
    outdir,
    context: { 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  const settings = resolveSettings(environment, {
    ...dmpContext,
    defaults: {
      lambdaAssetDir: zipDir,
      dataBuckets: ['dmp-datamesh-s3', 'ms-datamesh-s3'],
      artifactBuckets: ['dmp-artifacts'],
      ...(dmpContext.defaults as Record<string, unknown> | undefined),
    },
  });
  const stack = new DmpStack(app, `dmp-${environment}`, settings);
  app.synth();
  const template = Template.fromStack(stack);
  const text = readFileSync(join(outdir, `dmp-${environment}.template.json`), 'utf8');
  return { stack, template, json: JSON.parse(text), text, outdir, zipDir, zips };
}

/** Every resource of a type, by logical id. */
export function resourcesOf(json: Cfn, type: string): [string, Cfn][] {
  return Object.entries(json.Resources as Record<string, Cfn>).filter(
    ([, resource]) => resource.Type === type,
  );
}
