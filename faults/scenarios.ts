import { setTimeout as pause } from 'node:timers/promises';
import type { DataProductStateDocument, HistoryEntry } from '../shared/state/records.js';
import { type ClusterTimings, DATA_PRODUCT, FaultCluster } from './cluster.js';

/** One row of docs/reliability.md. */
export interface ScenarioResult {
  scenario: string;
  outcome: string;
  /** From the end of the fault (the restart, the resume) to the data product's final state. */
  recoveryMs: number;
  notes: string[];
}

export interface ScenarioOptions {
  /** How long a killed microservice stays down. */
  microserviceDownMs: number;
  /** How long the killed state service stays down, and how long the stopped one stays stopped. */
  stateDownMs: number;
  stateStoppedMs: number;
  timings: ClusterTimings;
}

export interface Scenario {
  name: string;
  provisioners: number;
  run(cluster: FaultCluster, options: ScenarioOptions): Promise<ScenarioResult>;
}

/** Follows the data product by long-polls until `done` holds for it; the document that did. */
async function until(
  cluster: FaultCluster,
  done: (document: DataProductStateDocument) => boolean,
  timeoutMs = Number(process.env.FAULTS_WAIT_MS ?? 120_000),
): Promise<DataProductStateDocument> {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  for (;;) {
    const document = await cluster.watch(seen).catch(() => undefined);
    if (document && done(document)) return document;
    if (document?.historySeq !== undefined) seen = document.historySeq;
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms: ${JSON.stringify(document)}`);
    // Without a document (the state service is down) a long-poll could not wait: do not spin.
    if (!document) await pause(200);
  }
}

const settled = (document: DataProductStateDocument) =>
  ['CREATED', 'NOT_COMPLETED', 'FAILED'].includes(document.state);
const working = (document: DataProductStateDocument) =>
  document.resources.some((resource) => resource.state === 'CREATING' && resource.heartbeatAt !== null);

/**
 * What every scenario must show in the history: no resource's work ran under
 * two live attempts — once a newer attempt of a resource wrote, no older one
 * did — and nothing failed.
 */
export function historyProblems(history: readonly HistoryEntry[]): string[] {
  const problems: string[] = [];
  const newest = new Map<string, number>();
  for (const entry of history) {
    if (entry.to === 'FAILED')
      problems.push(`${entry.resource ?? 'the data product'} FAILED: ${entry.error}`);
    if (entry.resource === null || entry.attempt === undefined) continue;
    const before = newest.get(entry.resource) ?? 0;
    if (entry.attempt < before) {
      problems.push(`${entry.resource}: attempt ${entry.attempt} wrote after attempt ${before}`);
    }
    newest.set(entry.resource, Math.max(before, entry.attempt));
  }
  return problems;
}

/** Restarts the microservice holding its work, deploys through the first provisioner, waits for the work to run. */
async function deployHeld(cluster: FaultCluster): Promise<void> {
  await cluster.microservice.stop();
  await cluster.microservice.start({ FAULT_HOLD: '1' });
  if ((await cluster.deploy(0)) !== 202) throw new Error('the deploy was not accepted');
  await until(cluster, working);
}

async function finish(cluster: FaultCluster, scenario: string, recoveredFrom: number, notes: string[]) {
  const document = await until(cluster, settled);
  const recoveryMs = Date.now() - recoveredFrom;
  const history = await cluster.history();
  const problems = historyProblems(history);
  const attempts = Math.max(...document.resources.map((resource) => resource.attempt));
  return {
    result: {
      scenario,
      outcome: `${document.state}${problems.length > 0 ? ` (${problems.join('; ')})` : ''}`,
      recoveryMs,
      notes: [...notes, `attempts: ${attempts}`],
    },
    document,
    history,
    problems,
    attempts,
  };
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'microservice killed between its transit write and its answer',
    provisioners: 1,
    async run(cluster, options) {
      cluster.armDieOnce();
      if ((await cluster.deploy()) !== 202) throw new Error('the deploy was not accepted');
      await cluster.microservice.ended();
      await pause(options.microserviceDownMs);
      await cluster.microservice.start();
      return (await finish(cluster, this.name, Date.now(), [`down ${options.microserviceDownMs} ms`])).result;
    },
  },
  {
    name: 'microservice killed during its work',
    provisioners: 1,
    async run(cluster, options) {
      await deployHeld(cluster);
      await cluster.microservice.signal('SIGKILL');
      await pause(options.microserviceDownMs);
      await cluster.microservice.start({ FAULT_HOLD: '0' });
      return (await finish(cluster, this.name, Date.now(), [`down ${options.microserviceDownMs} ms`])).result;
    },
  },
  {
    name: 'state service killed mid-deploy',
    provisioners: 1,
    async run(cluster, options) {
      await deployHeld(cluster);
      await cluster.stateService.signal('SIGKILL');
      // The work finishes while the state service is down: its outcome must wait, not be lost.
      await cluster.release();
      await pause(options.stateDownMs);
      await cluster.stateService.start();
      return (await finish(cluster, this.name, Date.now(), [`down ${options.stateDownMs} ms`])).result;
    },
  },
  {
    name: 'state service stopped (SIGSTOP) mid-deploy',
    provisioners: 1,
    async run(cluster, options) {
      await deployHeld(cluster);
      await cluster.stateService.signal('SIGSTOP');
      const asked = Date.now();
      const answer = await fetch(`${cluster.provisionerUrls[0]}/v1/dataproduct/state/${pathOf()}`, {
        headers: { authorization: `Bearer ${cluster.adminToken}` },
      });
      const answeredInMs = Date.now() - asked;
      await answer.arrayBuffer();
      await cluster.release();
      await pause(Math.max(0, options.stateStoppedMs - answeredInMs));
      await cluster.stateService.signal('SIGCONT');
      const resumed = Date.now();
      const notes = [
        `stopped ${options.stateStoppedMs} ms`,
        `a read through the provisioner meanwhile: ${answer.status} in ${answeredInMs} ms`,
      ];
      return (await finish(cluster, this.name, resumed, notes)).result;
    },
  },
  {
    name: 'one of two provisioner replicas killed mid-deploy',
    provisioners: 2,
    async run(cluster, options) {
      await deployHeld(cluster);
      await cluster.provisioners[0]?.signal('SIGKILL');
      const killed = Date.now();
      await cluster.release();
      const finished = await finish(cluster, this.name, killed, [`lease ${options.timings.leaseMs} ms`]);
      const last = finished.history.at(-1);
      finished.result.notes.push(`finished by ${last?.actor}`);
      return finished.result;
    },
  },
  {
    name: '20 concurrent POSTs over two replicas',
    provisioners: 2,
    async run(cluster) {
      const started = Date.now();
      const statuses = await Promise.all(Array.from({ length: 20 }, (_, index) => cluster.deploy(index % 2)));
      const accepted = statuses.filter((status) => status === 202).length;
      const refused = statuses.filter((status) => status === 409).length;
      const finished = await finish(cluster, this.name, started, [`${accepted} × 202, ${refused} × 409`]);
      const operations = finished.history.filter(
        (entry) => entry.resource === null && entry.to === 'CREATING',
      );
      finished.result.notes.push(`${operations.length} operation(s) started`);
      if (accepted !== 1 || refused !== 19 || operations.length !== 1) {
        finished.result.outcome = `${finished.result.outcome} (expected one 202, 19 × 409 and one operation)`;
      }
      return finished.result;
    },
  },
];

function pathOf(): string {
  const { environment, domain, name, version } = DATA_PRODUCT;
  return `${environment}/${domain}/${name}/${version}`;
}

/** Runs one scenario on a cluster of its own. */
export async function runScenario(scenario: Scenario, options: ScenarioOptions): Promise<ScenarioResult> {
  const cluster = new FaultCluster(options.timings);
  try {
    await cluster.start(scenario.provisioners);
    return await scenario.run(cluster, options);
  } finally {
    await cluster.close();
  }
}
