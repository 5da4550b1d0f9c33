import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_FOLDERS } from '../../shared/runtime-root.js';
import { SERVICE_ENTRIES, type ServiceName } from '../../shared/service-entries.js';
import { issueTestTokens } from '../support/auth.js';
import { type DockerStage, envOf, instructionsOf, parseDockerfile } from '../support/dockerfile.js';
import { freePort } from '../support/free-port.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { plainEnv, type RunningProcess, runProcess, startNode } from '../support/node-process.js';
import { waitFor } from '../support/wait-for.js';

/**
 * `npm run build` once for this file, into the checkout's dist/ (as on a
 * fresh clone), then everything runs from it with plain node: no tsx, no
 * TypeScript, nothing of the test run's environment.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const thesisExample = readFileSync(join(root, 'test/fixtures/thesis-example.yaml'), 'utf8');
const statePath = '/v1/dataproduct/state/test/test_domain/test_name/1.0.1';
const temporary: string[] = [];

function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // As root, functions run as nobody, who must be able to pass through to their code folder (mkdtemp gives 0700).
  chmodSync(dir, 0o711);
  temporary.push(dir);
  return dir;
}

beforeAll(async () => {
  const built = await runProcess('npm', ['run', 'build'], { cwd: root, env: plainEnv() });
  expect(built.code, `${built.stdout}\n${built.stderr}`).toBe(0);
}, 300_000);

afterAll(() => {
  for (const dir of temporary) removeDir(dir);
});

/** Posts the thesis example as the admin and follows its state until it leaves CREATING. */
async function provisionThesisExample(provisioner: string, token: string): Promise<string> {
  const posted = await fetch(`${provisioner}/v1/dataproduct`, {
    method: 'POST',
    headers: { 'content-type': 'application/yaml', authorization: `Bearer ${token}` },
    body: thesisExample,
  });
  expect(posted.status, await posted.clone().text()).toBe(202);
  const final = await waitFor(
    async () => {
      const response = await fetch(`${provisioner}${statePath}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await response.json()) as { state: string }).state;
    },
    (state) => state !== 'CREATING',
    { timeoutMs: 30_000 },
  );
  return final;
}

describe('the build', () => {
  it('runs the local platform with plain node from another folder, and it provisions the thesis example to CREATED', async () => {
    const elsewhere = temporaryDir('dmp-built-platform-');
    const ports = [
      'DMP_DYNAMODB_PORT',
      'DMP_S3_PORT',
      'DMP_PROVISIONER_PORT',
      'DMP_STATE_SERVICE_PORT',
      'DMP_S3_SERVICE_PORT',
      'DMP_EVENT_STORE_PORT',
      'DMP_OBSERVABILITY_PORT',
      'DMP_WORKLOAD_PORT',
      'DMP_LAMBDA_SERVER_PORT',
    ];
    const platform = await startNode([join(root, 'dist/local/start-platform.js')], {
      cwd: elsewhere,
      env: plainEnv({
        ...Object.fromEntries(ports.map((name) => [name, '0'])),
        DMP_DATA_DIR: join(elsewhere, 'data'),
        DMP_LOG_LEVEL: 'warn',
      }),
      ready: /export DMP_TOKEN=\S+\n/,
    });
    try {
      const provisioner = /provisioner\s+(http:\/\/\S+)/.exec(platform.output())?.[1] as string;
      const token = /export DMP_TOKEN=(\S+)/.exec(platform.output())?.[1] as string;
      expect(await provisionThesisExample(provisioner, token)).toBe('CREATED');
    } finally {
      expect(await platform.stop()).toBe(0);
    }
  }, 120_000);

  describe('every command line of the container image, against the build', () => {
    const image = parseDockerfile(join(root, 'Dockerfile')).at(-1) as DockerStage;
    const imageEnv = envOf(image);
    const entrypoint = instructionsOf(image, 'ENTRYPOINT')[0]?.args as string[];
    const healthcheck = (instructionsOf(image, 'HEALTHCHECK')[0]?.args ?? []).slice(1);
    let stack: TestStack;
    const running: RunningProcess[] = [];

    beforeAll(async () => {
      stack = await startTestStack();
    });
    afterAll(async () => {
      for (const process of running) await process.stop('SIGKILL');
      await stack?.close();
      if (stack) removeDir(stack.dataDir);
    });

    /** `ENTRYPOINT SERVICE` as the image runs it: its WORKDIR is the package root, its ENV as given. */
    async function startService(service: ServiceName, port: number, env: Record<string, string>) {
      const [command, ...args] = entrypoint;
      expect(command).toBe('node');
      const started = await startNode([...args, service], {
        cwd: root,
        env: plainEnv({ ...imageEnv, DMP_PORT: String(port), ...env }),
        ready: /listening on http:\/\/\S+\n/,
      });
      running.push(started);
      return started;
    }

    function healthcheckOn(port: number) {
      const [command, ...args] = healthcheck;
      return runProcess(command === 'node' ? process.execPath : (command as string), args, {
        cwd: root,
        env: plainEnv({ ...imageEnv, DMP_PORT: String(port) }),
      });
    }

    it('starts each service alone; provisioner, state service and S3 microservice provision the thesis example together', async () => {
      const tokens = await issueTestTokens(stack);
      const services = Object.keys(SERVICE_ENTRIES) as ServiceName[];
      const ports = Object.fromEntries(
        await Promise.all(services.map(async (service) => [service, await freePort()] as const)),
      ) as Record<ServiceName, number>;
      const url = (service: ServiceName) => `http://127.0.0.1:${ports[service]}`;
      const common = {
        DMP_DATA_DIR: temporaryDir('dmp-image-data-'),
        DMP_LOG_LEVEL: 'warn',
        DMP_DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint,
        DMP_S3_ENDPOINT: stack.s3Endpoint,
        DMP_STATE_SERVICE_URL: url('state-service'),
      };
      const state = await startService('state-service', ports['state-service'], common);
      const withToken = (token: string) => ({ ...common, DMP_SERVICE_TOKEN: token });
      const started = await Promise.all([
        startService('s3', ports.s3, withToken(tokens.s3Service)),
        startService('event-store', ports['event-store'], withToken(tokens.eventStoreService)),
        startService('observability', ports.observability, withToken(tokens.observabilityService)),
        startService('workload', ports.workload, withToken(tokens.workloadService)),
        startService('lambda-server', ports['lambda-server'], common),
        startService('provisioner', ports.provisioner, {
          ...common,
          DMP_SERVICE_TOKEN: tokens.provisioner,
          // The default discovery config, read from the runtime root, points at the S3 microservice through this.
          DMP_S3_URL: url('s3'),
        }),
      ]);
      for (const service of services) {
        const health = await healthcheckOn(ports[service]);
        expect(health.code, `${service}: ${health.stderr}`).toBe(0);
      }

      expect(await provisionThesisExample(url('provisioner'), tokens.admin)).toBe('CREATED');

      for (const process of [...started, state]) expect(await process.stop()).toBe(0);
      expect((await healthcheckOn(ports.provisioner)).code).toBe(1);
    }, 120_000);
  });

  it('refuses an unknown service or a bad DMP_PORT with exit 2 and the usage, starting nothing', async () => {
    const unknown = await runProcess(process.execPath, ['dist/dmp-service.js', 'provisioner-typo'], {
      cwd: root,
      env: plainEnv(),
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown service "provisioner-typo"');
    for (const service of Object.keys(SERVICE_ENTRIES)) expect(unknown.stderr).toContain(service);
    const badPort = await runProcess(process.execPath, ['dist/dmp-service.js', 'healthcheck'], {
      cwd: root,
      env: plainEnv({ DMP_PORT: 'eighty' }),
    });
    expect(badPort).toMatchObject({ code: 2, stderr: expect.stringContaining('DMP_PORT=eighty') });
  });

  it('packs (npm pack) into a tarball of the built code, the CLI bin and the runtime folders alone', async () => {
    const packed = await runProcess('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      env: plainEnv(),
    });
    expect(packed.code, packed.stderr).toBe(0);
    const files = (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0]?.files.map(
      ({ path }) => path,
    ) as string[];
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      bin: { dmp: string };
    };
    expect(manifest.bin.dmp).toMatch(/\.mjs$/);
    expect(files).toContain(manifest.bin.dmp);
    expect(files).toContain('dist/local/start-platform.js');
    expect(files).toContain('dist/dmp-service.js');
    for (const { entry } of Object.values(SERVICE_ENTRIES)) expect(files).toContain(`dist/${entry}`);
    for (const folder of RUNTIME_FOLDERS) {
      expect(
        files.some((file) => file.startsWith(`${folder}/`)),
        folder,
      ).toBe(true);
    }
    const shipped = (file: string) =>
      file === 'package.json' ||
      file === 'README.md' ||
      file.startsWith('dist/') ||
      file.startsWith('cli/dist/') ||
      RUNTIME_FOLDERS.some((folder) => file.startsWith(`${folder}/`));
    expect(files.filter((file) => !shipped(file))).toEqual([]);
    expect(
      files.filter((file) => file.endsWith('.ts') || /(^|\/)(test|bench|fixtures)\//.test(file)),
    ).toEqual([]);
  }, 60_000);
});
