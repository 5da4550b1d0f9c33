import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../cli/args/parse-command-line.js';
import { readDescriptor } from '../../cli/descriptor/read-descriptor.js';
import { validateOffline } from '../../cli/descriptor/validate-offline.js';

type Job = {
  script?: string[];
  before_script?: string[];
  rules?: { if: string }[];
  artifacts?: { paths: string[] };
};
const template = load(readFileSync('examples/gitlab/.gitlab-ci.yml', 'utf8')) as Record<string, Job> & {
  variables: Record<string, string>;
};

/** The words of each `dmp …` command of a job, up to the first redirection or pipe, variables substituted. */
function dmpCommands(job: Job): string[][] {
  return [...(job.before_script ?? []), ...(job.script ?? [])]
    .filter((line) => line.startsWith('dmp '))
    .map((line) =>
      (line.split(/\s+(?:>|\||\|\|)\s+/)[0] as string)
        .replaceAll(/"?\$(\w+)"?/g, (_, name: string) => template.variables[name] ?? `<${name}>`)
        .split(/\s+/)
        .slice(1),
    );
}

describe('examples/gitlab', () => {
  it('validates and plans on merge requests, and deploys with --wait only on the default branch', () => {
    const onMergeRequest = (job: Job) => job.rules?.some((rule) => rule.if.includes('merge_request_event'));
    const onDefaultBranch = (job: Job) => job.rules?.some((rule) => rule.if.includes('CI_DEFAULT_BRANCH'));
    expect(onMergeRequest(template['dmp:validate'] as Job)).toBe(true);
    expect(onMergeRequest(template['dmp:plan'] as Job)).toBe(true);
    expect(onDefaultBranch(template['dmp:deploy'] as Job)).toBe(true);
    expect(onDefaultBranch(template['dmp:plan'] as Job)).toBeFalsy();
    expect(template['dmp:plan']?.artifacts?.paths).toEqual(['plan.txt', 'plan.json']);
    expect(dmpCommands(template['dmp:deploy'] as Job)[0]).toEqual(
      expect.arrayContaining(['deploy', 'data-product.yaml', '--wait', '--timeout', '30m']),
    );
  });

  it('uses only commands and options the CLI accepts', () => {
    const commands = Object.entries(template)
      .filter(([name]) => name.startsWith('dmp:'))
      .flatMap(([, job]) => dmpCommands(job as Job));
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const argv of commands) expect(parseCommandLine(argv).kind, argv.join(' ')).not.toBe('help');
  });

  it('ships an example descriptor that passes the offline checks, with the local discovery config', () => {
    const file = readDescriptor('examples/gitlab/data-product.yaml', process.cwd());
    const descriptor = validateOffline(file, { discoveryPath: 'discovery-config/local.yaml' });
    expect(descriptor.outputPorts.map((port) => port.name)).toEqual(['orders_raw', 'orders_curated']);
  });

  it('installs the CLI package, pinned to the current version, instead of cloning the dmp repository', () => {
    const cli = JSON.parse(readFileSync('cli/package.json', 'utf8')) as { name: string; version: string };
    expect(template.variables.DMP_CLI_VERSION).toBe(cli.version);
    const setup = (template['.dmp'] as Job).before_script?.join('\n') ?? '';
    expect(setup).toContain(
      `npm install --omit=dev --ignore-scripts --no-audit --no-fund "${cli.name}@$DMP_CLI_VERSION"`,
    );
    expect(setup).not.toMatch(/git clone/);
    // The job token goes into .npmrc for the install only: the folder is cached afterwards.
    expect(setup.indexOf('rm -f .dmp-cli/.npmrc')).toBeGreaterThan(setup.indexOf('npm install'));
  });

  it("keeps the project's own pipeline stages, and its build keeps the packages, zips and template", () => {
    type OwnJob = { stage?: string; artifacts?: { paths: string[] } };
    const own = load(readFileSync('.gitlab-ci.yml', 'utf8')) as Record<string, unknown>;
    expect(own.stages).toEqual(['checkFormatting', 'typecheck', 'test', 'build', 'publish']);
    const kept = Object.values(own).flatMap((job) => (job as OwnJob | null)?.artifacts?.paths ?? []);
    expect(kept).toEqual(expect.arrayContaining(['dist/packages/', 'dist/lambda/', 'deploy/aws/cdk.out/']));
  });
});
