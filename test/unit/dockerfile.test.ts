import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RUNTIME_FOLDERS } from '../../shared/runtime-root.js';
import { SERVICE_ENTRIES } from '../../shared/service-entries.js';
import {
  type DockerStage,
  envOf,
  instructionsOf,
  parseDockerfile,
  passesDockerignore,
  readDockerignore,
} from '../support/dockerfile.js';

const stages = parseDockerfile('Dockerfile');
const image = stages.at(-1) as DockerStage;
const ignore = readDockerignore('.dockerignore');
const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as {
  scripts: Record<string, string>;
  files: string[];
};
const buildConfig = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { include: string[] };

/** Each `COPY` of a stage as [sources, destination, from-stage]. */
function copiesOf(stage: DockerStage): { sources: string[]; destination: string; from?: string }[] {
  return instructionsOf(stage, 'COPY').map(({ args, flags }) => ({
    sources: args.slice(0, -1),
    destination: args.at(-1) as string,
    ...(flags.from ? { from: flags.from } : {}),
  }));
}

function stageNamed(name: string): DockerStage {
  const stage = stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`no stage ${name}`);
  return stage;
}

function runsOf(stage: DockerStage): string[] {
  return instructionsOf(stage, 'RUN').map(({ args }) => args.join(' '));
}

describe('the Dockerfile', () => {
  it('builds in stages on Node 20 slim and runs as an unprivileged user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.image).toBe('node:20-slim');
    const users = instructionsOf(image, 'USER').map(({ args }) => args[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', undefined]).not.toContain(users.at(-1));
  });

  it('compiles with npm run build:services, given every source folder tsconfig.build.json compiles', () => {
    const build = stageNamed('build');
    expect(runsOf(build)).toContain('npm run build:services');
    expect(packageJson.scripts['build:services']).toBe('tsc -p tsconfig.build.json');
    const copied = copiesOf(build).flatMap(({ sources }) => sources);
    for (const included of [
      ...buildConfig.include,
      'tsconfig.json',
      'tsconfig.build.json',
      'package-lock.json',
    ]) {
      expect(copied, included).toContain(included);
    }
  });

  it('takes only the run-time dependencies (npm ci --omit=dev) and dist/ into the image', () => {
    const copies = copiesOf(image);
    const dependencies = copies.find(({ sources }) => sources.includes('/app/node_modules'));
    expect(dependencies?.from).toBeDefined();
    expect(runsOf(stageNamed(dependencies?.from as string)).join('\n')).toMatch(/npm ci --omit=dev/);
    expect(copies).toContainEqual({ sources: ['/src/dist'], destination: './dist', from: 'build' });
    const fromContext = copies.filter(({ from }) => !from).flatMap(({ sources }) => sources);
    // package.json marks the runtime root; the folders are what the services read at run time.
    expect(fromContext.sort()).toEqual(['package.json', ...RUNTIME_FOLDERS].sort());
  });

  it('runs dmp-service.js: the command picks a service, the health check asks /healthz on DMP_PORT', () => {
    const [entrypoint] = instructionsOf(image, 'ENTRYPOINT');
    expect(entrypoint?.args).toEqual(['node', 'dist/dmp-service.js']);
    const [command] = instructionsOf(image, 'CMD');
    expect(Object.keys(SERVICE_ENTRIES)).toContain(command?.args[0]);
    const [healthcheck] = instructionsOf(image, 'HEALTHCHECK');
    expect(healthcheck?.args).toEqual(['CMD', 'node', 'dist/dmp-service.js', 'healthcheck']);
    const env = envOf(image);
    expect(env.DMP_HOST).toBe('0.0.0.0');
    expect(instructionsOf(image, 'EXPOSE').map(({ args }) => args[0])).toEqual([env.DMP_PORT]);
    expect(instructionsOf(image, 'WORKDIR').at(-1)?.args).toEqual(['/app']);
  });
});

describe('.dockerignore', () => {
  it('lets through every file the Dockerfile copies from the build context', () => {
    const fromContext = stages.flatMap((stage) =>
      copiesOf(stage)
        .filter(({ from }) => !from)
        .flatMap(({ sources }) => sources),
    );
    for (const source of fromContext) {
      expect(existsSync(source), source).toBe(true);
      expect(passesDockerignore(ignore, source), source).toBe(true);
    }
  });

  it('keeps installed modules, builds, local data, tests and the repository history out', () => {
    for (const path of ['node_modules', 'dist', 'cli/dist', '.dmp-data', 'test', 'bench', '.git', '.env']) {
      expect(passesDockerignore(ignore, path), path).toBe(false);
    }
  });
});

describe('the package', () => {
  it('ships dist/, the built CLI and every runtime folder, and no dist/lambda', () => {
    expect(packageJson.files).toEqual(expect.arrayContaining(['dist/', 'cli/dist/', '!dist/lambda/']));
    for (const folder of RUNTIME_FOLDERS) {
      expect(packageJson.files).toContain(`${folder}/`);
      expect(existsSync(folder), folder).toBe(true);
    }
  });
});
