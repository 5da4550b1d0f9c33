import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleCli } from '../../scripts/build-cli.js';
import { REPO_ROOT } from '../../scripts/node-bundle.js';
import { percentile, round } from '../stats.js';

export interface StartupMeasurement {
  /** Runs of each command, taken in turn so that both see the same machine. */
  runs: number;
  /** Medians, process spawned → exited. */
  nodeMs: number;
  cliMs: number;
  /** cliMs / nodeMs. */
  ratio: number;
  /** `node bin/dmp.js --help`: the CLI from its TypeScript sources through tsx, as before the build had a CLI. */
  sourceCliMs: number;
  bundleBytes: number;
}

/** Wall time of one process, from spawn to exit; refuses one that fails. */
function timeProcess(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`node ${args.join(' ')} exited with ${code}`));
    });
  });
}

/**
 * (e) `dmp --help` of the built CLI (the bundle the package installs as its
 * bin) against `node -e 0`, side by side: one run of each in turn, medians
 * compared, so a busy moment of the machine weighs on both.
 */
export async function cliStartup(runs = 21): Promise<StartupMeasurement> {
  const dir = mkdtempSync(join(tmpdir(), 'dmp-bench-cli-'));
  try {
    const bundle = await bundleCli(join(dir, 'dmp.mjs'));
    const node: number[] = [];
    const cli: number[] = [];
    await timeProcess([bundle.file, '--help']); // untimed: the first run reads the file from disk
    for (let run = 0; run < runs; run += 1) {
      node.push(await timeProcess(['-e', '0']));
      cli.push(await timeProcess([bundle.file, '--help']));
    }
    const source: number[] = [];
    for (let run = 0; run < 5; run += 1)
      source.push(await timeProcess([join(REPO_ROOT, 'bin/dmp.js'), '--help']));
    const nodeMs = percentile(node, 0.5);
    const cliMs = percentile(cli, 0.5);
    return {
      runs,
      nodeMs: round(nodeMs, 1),
      cliMs: round(cliMs, 1),
      ratio: round(cliMs / nodeMs),
      sourceCliMs: round(percentile(source, 0.5), 1),
      bundleBytes: bundle.bytes,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
