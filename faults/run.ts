import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runScenario, SCENARIOS, type ScenarioOptions, type ScenarioResult } from './scenarios.js';

/**
 * `npm run faults`: every scenario of the fault suite, each on a cluster of
 * its own (services as separate processes), with the faults the operators'
 * issue names; writes the table of docs/reliability.md from this run.
 */
const FULL: ScenarioOptions = {
  microserviceDownMs: 3_000,
  stateDownMs: 20_000,
  stateStoppedMs: 10_000,
  timings: { leaseMs: 5_000, staleHeartbeatMs: 5_000, heartbeatMs: 500 },
};

const results: ScenarioResult[] = [];
let failed = false;
for (const scenario of SCENARIOS) {
  process.stdout.write(`- ${scenario.name} ... `);
  try {
    const result = await runScenario(scenario, FULL);
    results.push(result);
    const ok = result.outcome === 'CREATED';
    failed ||= !ok;
    process.stdout.write(`${result.outcome} in ${result.recoveryMs} ms (${result.notes.join('; ')})\n`);
  } catch (error) {
    failed = true;
    results.push({ scenario: scenario.name, outcome: `error: ${String(error)}`, recoveryMs: 0, notes: [] });
    process.stdout.write(`error: ${String(error)}\n`);
  }
}

const table = [
  '| scenario | outcome | recovery | notes |',
  '|---|---|---|---|',
  ...results.map(
    (result) =>
      `| ${result.scenario} | ${result.outcome} | ${(result.recoveryMs / 1000).toFixed(1)} s | ${result.notes.join('; ')} |`,
  ),
].join('\n');
const page = fileURLToPath(new URL('../docs/reliability.md', import.meta.url));
const { readFileSync } = await import('node:fs');
const current = readFileSync(page, 'utf8');
const marker = /<!-- faults:begin -->[\s\S]*<!-- faults:end -->/;
writeFileSync(
  page,
  current.replace(
    marker,
    `<!-- faults:begin -->\nMeasured by \`npm run faults\` on ${new Date().toISOString().slice(0, 10)}:\n\n${table}\n<!-- faults:end -->`,
  ),
);
process.stdout.write(`\n${table}\n`);
process.exit(failed ? 1 : 0);
