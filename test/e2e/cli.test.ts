import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureIo } from '../../cli/capture-io.js';
import { runCli } from '../../cli/run-cli.js';
import { descriptorYaml, type TestResource } from '../support/descriptors.js';
import { freePort } from '../support/free-port.js';
import { removeDir } from '../support/local-stack.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { waitFor } from '../support/wait-for.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let platform: TestPlatform;
let dir: string;

beforeAll(async () => {
  platform = await startTestPlatform({ deadPort: await freePort() });
  dir = mkdtempSync(join(tmpdir(), 'dmp-cli-'));
});
afterAll(async () => {
  await platform?.close();
  if (dir) removeDir(dir);
});
beforeEach(() => {
  platform.gated.release();
});

/** Writes a descriptor of the `sales` domain into the working directory; returns its file name. */
function descriptorFile(name: string, resources: TestResource[], version = '1.0.0'): string {
  const file = `${name}-${version}.yaml`;
  writeFileSync(join(dir, file), descriptorYaml(name, resources, version));
  return file;
}

/** Runs the CLI in-process against the test platform, as the admin unless told otherwise. */
async function dmp(argv: string[], env: Record<string, string> = {}) {
  const io = captureIo({
    cwd: dir,
    env: { DMP_URL: platform.provisioner.url, DMP_TOKEN: platform.tokens.admin, ...env },
  });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('dmp validate', () => {
  it('exits 2 offline, without any server, listing every problem with file:line', async () => {
    const file = 'broken.yaml';
    writeFileSync(
      join(dir, file),
      [
        'name: broken',
        'domain: sales',
        'version: 1.0.0',
        'environment: { name: test }',
        'outputPorts:',
        '  - name: a',
        '    type: raw',
        '    technology: gated',
        '    owner: sales-owner',
        '    dependson: []',
        '    dependsOn: [nowhere]',
        '',
      ].join('\n'),
    );
    const io = captureIo({ cwd: dir });
    expect(await runCli(['validate', file], io)).toBe(2);
    expect(io.err()).toContain('broken.yaml:10: /outputPorts/0/dependson: unknown key "dependson"');
    expect(io.err()).toContain('broken.yaml:11: /outputPorts/0/dependsOn/0: "nowhere" is not a resource');
  });

  it("exits 0 offline for a good file, and 2 with --remote when the microservice's check fails, on its line", async () => {
    const file = descriptorFile('remote-check', [{ name: 'a', specific: { invalid: true } }]);
    expect((await dmp(['validate', file])).code).toBe(0);
    const remote = await dmp(['validate', file, '--remote']);
    expect(remote.code).toBe(2);
    expect(remote.err).toMatch(
      /remote-check-1\.0\.0\.yaml:\d+: \/outputPorts\/0\/specific\/invalid: invalid on purpose/,
    );
  });
});

describe('dmp deploy --wait', () => {
  it('follows the operation line by line and exits 0 with a summary of each resource', async () => {
    platform.gated.hold('second');
    const file = descriptorFile('waited', [{ name: 'first' }, { name: 'second', dependsOn: ['first'] }]);
    const running = dmp(['deploy', file, '--wait']);
    await waitFor(
      async () => platform.gated.callsOf('second').length,
      (count) => count > 0,
    );
    // Several polls (at most 100 ms apart here) see `second` working before it is let go.
    await new Promise((resolve) => setTimeout(resolve, 300));
    platform.gated.release('second');
    const { code, out } = await running;
    expect(code).toBe(0);
    expect(out).toContain('Accepted: test/sales/waited/1.0.0 is CREATING');
    // `first` is quick: the first look may find it not yet started, working, or already done.
    expect(out).toMatch(/\+\d+\.\ds {2}first {2}((NONE|CREATING) → )?CREATED\n/);
    expect(out).toMatch(/\+\d+\.\ds {2}second {2}CREATING → CREATED\n/);
    expect(out).toMatch(/\+\d+\.\ds {2}test\/sales\/waited\/1\.0\.0 {2}CREATING → CREATED\n/);
    expect(out).toMatch(/test\/sales\/waited\/1\.0\.0 is CREATED after \d+\.\ds\./);
    expect(out).toMatch(/ {2}first {3}CREATED {2}gated/);

    const again = await dmp(['deploy', file, '--wait']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('No changes: test/sales/waited/1.0.0 is CREATED.');
  });

  it('exits 1 when a resource fails, printing each root cause', async () => {
    const file = descriptorFile('failing', [
      { name: 'broken', specific: { fail: true } },
      { name: 'after', dependsOn: ['broken'] },
    ]);
    const { code, out } = await dmp(['deploy', file, '--wait']);
    expect(code).toBe(1);
    expect(out).toContain('is NOT_COMPLETED after');
    expect(out).toContain(
      'Root causes:\n  broken: broken failed on purpose\n  after: not attempted, blocked by broken',
    );
  });

  it('exits 3 when the operation outlives --timeout, and the operation goes on', async () => {
    platform.gated.hold('slow');
    const file = descriptorFile('slow', [{ name: 'slow' }]);
    const { code, out } = await dmp(['deploy', file, '--wait', '--timeout', '300ms']);
    expect(code).toBe(3);
    expect(out).toMatch(/Timed out after \d+\.\ds: test\/sales\/slow\/1\.0\.0 is still CREATING/);
    platform.gated.release('slow');
    const status = await dmp(['status', 'test/sales/slow/1.0.0', '--wait', '--timeout', '20s']);
    expect(status.code).toBe(0);
  });

  it('prints one JSON document only with --output json, with the same exit code', async () => {
    const file = descriptorFile('as-json', [{ name: 'a' }]);
    const { code, out, err } = await dmp(['deploy', file, '--wait', '--output', 'json']);
    expect(code).toBe(0);
    expect(err).toBe('');
    const document = JSON.parse(out);
    expect(document).toMatchObject({
      accepted: { name: 'as-json', state: 'CREATING', changed: true },
      outcome: 'settled',
      durationMs: expect.any(Number),
      state: { state: 'CREATED', resources: [{ name: 'a', state: 'CREATED' }] },
    });
  });
});

describe('dmp plan', () => {
  it('shows the update with its ACL diff; as JSON too', async () => {
    const first = descriptorFile('planned', [{ name: 'same' }, { name: 'acl', allow: ['reader', 'leaver'] }]);
    expect((await dmp(['deploy', first, '--wait'])).code).toBe(0);
    const second = descriptorFile('planned', [
      { name: 'same' },
      { name: 'acl', allow: ['reader', 'joiner'] },
      { name: 'fresh', dependsOn: ['same'] },
    ]);
    const { code, out } = await dmp(['plan', second]);
    expect(code).toBe(0);
    expect(out).toContain('Plan for test/sales/planned/1.0.0: CREATED → UPDATING');
    expect(out).toMatch(
      /~ {2}acl {4}update {2}gated {2}changes: allow; grants joiner \(read-only\); revokes leaver/,
    );
    expect(out).toMatch(/\+ {2}fresh {2}create {2}gated {2}after same/);
    expect(out).toMatch(/= {2}same {3}noop/);
    expect(out).toContain('1 to create, 1 to update, 0 to delete, 1 unchanged, 0 blocked.');

    const json = await dmp(['plan', second, '-o', 'json']);
    expect(JSON.parse(json.out)).toMatchObject({ transit: 'UPDATING', waves: [['acl', 'fresh']] });
  });

  it('exits 2 when the deploy would be refused for an immutable change, with the line', async () => {
    const first = descriptorFile('frozen', [{ name: 'a', specific: { location: 'here' } }]);
    expect((await dmp(['deploy', first, '--wait'])).code).toBe(0);
    const moved = descriptorFile('frozen', [{ name: 'a', specific: { location: 'there' } }]);
    const { code, out } = await dmp(['plan', moved]);
    expect(code).toBe(2);
    expect(out).toMatch(/frozen-1\.0\.0\.yaml:\d+: \/outputPorts\/0\/specific\/location: /);
  });
});

describe('server access', () => {
  it('exits 4 with a wrong token and with a dead URL, never printing the token', async () => {
    const file = descriptorFile('unreached', [{ name: 'a' }]);
    const wrong = await dmp(['deploy', file], { DMP_TOKEN: 'dmp_nobody_wrongsecret' });
    expect(wrong.code).toBe(4);
    expect(wrong.err).toMatch(/401 .*check DMP_TOKEN/);
    expect(wrong.out + wrong.err).not.toContain('wrongsecret');

    const dead = await dmp(['deploy', file], { DMP_URL: `http://127.0.0.1:${platform.deadPort}` });
    expect(dead.code).toBe(4);
    expect(dead.err).toMatch(/cannot reach the server .*ECONNREFUSED/);
  });

  it('exits 4 for a token of another domain (403)', async () => {
    const file = descriptorFile('forbidden', [{ name: 'a' }]);
    writeFileSync(
      join(dir, file),
      descriptorYaml('forbidden', [{ name: 'a' }]).replace('domain: sales', 'domain: finance'),
    );
    const { code, err } = await dmp(['deploy', file], { DMP_TOKEN: platform.tokens.salesDeployer });
    expect(code).toBe(4);
    expect(err).toMatch(/403/);
  });
});

describe('status, history, list, cancel and destroy', () => {
  it('cancels a running operation, whose status then exits 1 naming what was not attempted', async () => {
    platform.gated.hold('second');
    const file = descriptorFile('cancelled', [
      { name: 'first' },
      { name: 'second', dependsOn: ['first'] },
      { name: 'third', dependsOn: ['second'] },
    ]);
    expect((await dmp(['deploy', file])).code).toBe(0);
    await waitFor(
      async () => platform.gated.callsOf('second').length,
      (count) => count > 0,
    );
    const cancel = await dmp(['cancel', '--file', file]);
    expect(cancel.code).toBe(0);
    expect(cancel.out).toContain('Cancel requested: test/sales/cancelled/1.0.0 is CREATING');
    platform.gated.release('second');
    const status = await dmp(['status', 'test/sales/cancelled/1.0.0', '--wait']);
    expect(status.code).toBe(1);
    expect(status.out).toContain('third: not attempted: the operation was cancelled');
  });

  it('shows status, history and the listing of deployed data products', async () => {
    const file = descriptorFile('shown', [{ name: 'a' }]);
    expect((await dmp(['deploy', file, '--wait'])).code).toBe(0);

    const status = await dmp(['status', '--file', file]);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/test\/sales\/shown\/1\.0\.0 {2}CREATED\n {2}a {2}CREATED {2}gated/);

    const history = await dmp(['history', 'test/sales/shown/1.0.0', '-o', 'json']);
    const transitions = JSON.parse(history.out).entries.map(
      (entry: { resource: string | null; from: string; to: string }) =>
        `${entry.resource ?? '*'} ${entry.from}→${entry.to}`,
    );
    expect(transitions).toEqual([
      '* NONE→CREATING',
      'a NONE→CREATING',
      'a CREATING→CREATED',
      '* CREATING→CREATED',
    ]);

    const list = await dmp(['list', '--domain', 'sales', '--all']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^test +sales +shown +1\.0\.0 +CREATED /m);

    const unknown = await dmp(['status', 'test/sales/never/1.0.0']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('test/sales/never/1.0.0 is unknown');
  });

  it('destroys by reference and by file, waiting for DELETED', async () => {
    const file = descriptorFile('doomed', [{ name: 'a' }]);
    expect((await dmp(['deploy', file, '--wait'])).code).toBe(0);
    const byRef = await dmp(['destroy', 'test/sales/doomed/1.0.0', '--wait']);
    expect(byRef.code).toBe(0);
    expect(byRef.out).toMatch(/test\/sales\/doomed\/1\.0\.0 is DELETED after/);
    const byFile = await dmp(['destroy', file, '--remove-data']);
    expect(byFile.code).toBe(0);
    expect(byFile.out).toContain('No changes: test/sales/doomed/1.0.0 is already DELETED.');
  });
});

describe('bin/dmp.js in its own process', () => {
  function runBin(
    args: string[],
    env: Record<string, string>,
  ): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(root, 'bin/dmp.js'), ...args], {
        cwd: dir,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, out }));
    });
  }

  it('deploys with --wait as a CI job would, exit code and all', async () => {
    const file = descriptorFile('from-ci', [{ name: 'a' }, { name: 'b', dependsOn: ['a'] }]);
    const env = { DMP_URL: platform.provisioner.url, DMP_TOKEN: platform.tokens.admin };
    const deployed = await runBin(['deploy', file, '--wait', '--timeout', '30s'], env);
    expect(deployed.out).toContain('test/sales/from-ci/1.0.0 is CREATED after');
    expect(deployed.code).toBe(0);
    expect(deployed.out).not.toContain(platform.tokens.admin);

    const invalid = await runBin(['validate', 'missing.yaml'], {});
    expect(invalid.code).toBe(2);
    expect(invalid.out).toContain('cannot read missing.yaml: ENOENT');
  });
});
