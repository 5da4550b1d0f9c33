import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_VERSION } from '../../cli/run-cli.js';
import { bundleCli, type CliBundle, isNodeBuiltin } from '../../scripts/build-cli.js';
import { bundledPackages, externalImports } from '../../scripts/node-bundle.js';
import { freePort } from '../support/free-port.js';
import { removeDir } from '../support/local-stack.js';
import { plainEnv, runProcess } from '../support/node-process.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

/**
 * The CLI package as a CI job gets it: `npm pack` of cli/ (its bundle built
 * as `npm run build:cli` builds it, into a copy so the checkout is left
 * alone), installed into an empty folder with `--omit=dev --offline`, and
 * run through the bin npm linked.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const temporary: string[] = [];
let platform: TestPlatform;
let bundle: CliBundle;
let packedFiles: string[];
let installDir: string;
let workDir: string;

function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

beforeAll(async () => {
  platform = await startTestPlatform({ deadPort: await freePort() });
  const packageDir = temporaryDir('dmp-cli-package-');
  for (const file of ['package.json', 'README.md'])
    copyFileSync(join(root, 'cli', file), join(packageDir, file));
  bundle = await bundleCli(join(packageDir, 'dist/dmp.mjs'));
  const tarballs = temporaryDir('dmp-cli-tarball-');
  const packed = await runProcess('npm', ['pack', packageDir, '--pack-destination', tarballs, '--json'], {
    cwd: tarballs,
    env: plainEnv(),
  });
  expect(packed.code, packed.stderr).toBe(0);
  const [tarball] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  packedFiles = tarball?.files.map(({ path }) => path).sort() ?? [];
  installDir = temporaryDir('dmp-cli-install-');
  const installed = await runProcess(
    'npm',
    [
      'install',
      join(tarballs, tarball?.filename ?? ''),
      '--omit=dev',
      '--offline',
      '--no-audit',
      '--no-fund',
    ],
    { cwd: installDir, env: plainEnv() },
  );
  expect(installed.code, installed.stderr).toBe(0);
  workDir = temporaryDir('dmp-cli-work-');
  copyFileSync(join(root, 'test/fixtures/thesis-example.yaml'), join(workDir, 'thesis-example.yaml'));
}, 120_000);

afterAll(async () => {
  await platform?.close();
  for (const dir of temporary) removeDir(dir);
});

/** The installed `dmp`, run the way a shell runs it: the bin link, its shebang, node from PATH. */
function dmp(args: string[], env: Record<string, string> = {}) {
  return runProcess(join(installDir, 'node_modules/.bin/dmp'), args, {
    cwd: workDir,
    env: plainEnv({ NO_COLOR: '1', ...env }),
  });
}

describe('the CLI package', () => {
  it('holds the bundled bin alone, and installs offline into an empty folder with nothing else', () => {
    expect(packedFiles).toEqual(['README.md', 'dist/dmp.mjs', 'package.json']);
    const installed = readdirSync(join(installDir, 'node_modules')).filter((name) => !name.startsWith('.'));
    expect(installed).toEqual(['@dmp']);
    const bin = readFileSync(join(installDir, 'node_modules/@dmp/cli/dist/dmp.mjs'), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('answers dmp --help and dmp --version', async () => {
    const help = await dmp(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/dmp COMMAND/);
    expect(help.stdout).toMatch(/deploy/);
    const version = await dmp(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${CLI_VERSION}\n` });
  });

  it('validates the thesis example offline, and refuses a broken descriptor with exit 2 and its line', async () => {
    const valid = await dmp(['validate', 'thesis-example.yaml']);
    expect(valid.code, valid.stderr).toBe(0);
    writeFileSync(
      join(workDir, 'broken.yaml'),
      readFileSync(join(workDir, 'thesis-example.yaml'), 'utf8').replace('version: 1.0.1', 'version: one'),
    );
    const broken = await dmp(['validate', 'broken.yaml']);
    expect(broken.code).toBe(2);
    expect(`${broken.stdout}${broken.stderr}`).toMatch(/broken\.yaml:3/);
  });

  it('deploys the thesis example with --wait on a running platform, exit code 0 once it is CREATED', async () => {
    const token = platform.tokens.admin;
    const deployed = await dmp(['deploy', 'thesis-example.yaml', '--wait', '--timeout', '60s'], {
      DMP_URL: platform.provisioner.url,
      DMP_TOKEN: token,
    });
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toContain('test/test_domain/test_name/1.0.1 is CREATED after');
    expect(`${deployed.stdout}${deployed.stderr}`).not.toContain(token);
  }, 60_000);
});

describe('the CLI bundle', () => {
  it('takes in no heavy module (AWS SDK, express, pino, …) and imports nothing at run time but Node itself', () => {
    expect(bundledPackages(bundle.metafile)).toEqual([
      'ajv',
      'fast-deep-equal',
      'fast-uri',
      'js-yaml',
      'json-schema-traverse',
    ]);
    const imports = externalImports(bundle.metafile);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((path) => !isNodeBuiltin(path))).toEqual([]);
  });

  it("is the version the CLI reports and the root package's", () => {
    const versionOf = (file: string) =>
      (JSON.parse(readFileSync(join(root, file), 'utf8')) as { version: string }).version;
    expect(versionOf('cli/package.json')).toBe(CLI_VERSION);
    expect(versionOf('package.json')).toBe(CLI_VERSION);
  });
});
