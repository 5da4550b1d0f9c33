import { type BenchOptions, readBenchOptions } from './bench-options.js';
import { BENCH_ENVIRONMENT, type BenchMode, MODE_ENV, startBenchPlatform } from './bench-platform.js';
import { cliStartup, type StartupMeasurement } from './cases/cli-startup.js';
import { deployMany, type ThroughputMeasurement } from './cases/deploy-many.js';
import { type DeployMeasurement, deployOne } from './cases/deploy-one.js';
import { type StateReadMeasurement, stateReadLoad } from './cases/state-read-load.js';
import { BENCH_DOMAIN } from './dag-descriptor.js';
import { machineInfo, writeResults } from './results-file.js';
import { formatTable, type ResultRow } from './results-table.js';
import { round } from './stats.js';

interface ModeResults {
  warmUpMs: number;
  deploy: DeployMeasurement;
  many: ThroughputMeasurement;
  /** Spread over every data product deployed, then on one. */
  stateRead?: StateReadMeasurement;
  stateReadOne?: StateReadMeasurement;
}

const DEPLOYED = 'dag';

async function runMode(mode: BenchMode, options: BenchOptions): Promise<ModeResults> {
  const log = (message: string) => process.stderr.write(`[${mode}] ${message}\n`);
  const platform = await startWithRetries(mode, options.workMs);
  try {
    // One small deploy first, untimed: a running platform has its code paths compiled and connections open.
    const warmUpStarted = performance.now();
    await deployOne(platform, 'warm-up', { resources: 2, depth: 2 }, options.workMs, 60_000);
    const warmUpMs = round(performance.now() - warmUpStarted, 1);
    const shape = { resources: options.resources, depth: options.depth };
    log(`(a)(b) deploying ${shape.resources} resources, depth ${shape.depth}, ${options.workMs} ms each`);
    const deploy = await deployOne(platform, DEPLOYED, shape, options.workMs, 600_000);
    log(`(a)(b) ${deploy.deployMs} ms, ${deploy.stateRequestsPerResource} state requests per resource`);
    log(
      `(c) deploying ${options.manyDataProducts} data products of ${options.manyResources} resources at once`,
    );
    const many = await deployMany(
      platform,
      'many',
      options.manyDataProducts,
      { resources: options.manyResources, depth: options.manyDepth },
      600_000,
    );
    log(`(c) ${many.perSecond} data products/s`);
    if (mode !== 'dmp') return { warmUpMs, deploy, many };
    log(
      `(d) ${options.concurrency} clients for ${options.loadSeconds} s on GET state, then on raw DynamoDB reads`,
    );
    const refOf = (name: string) => ({
      environment: BENCH_ENVIRONMENT,
      domain: BENCH_DOMAIN,
      name,
      version: '1.0.0',
    });
    const load = { concurrency: options.concurrency, seconds: options.loadSeconds };
    const spread = [
      { ref: refOf(DEPLOYED), resources: options.resources },
      ...Array.from({ length: options.manyDataProducts }, (_, index) => ({
        ref: refOf(`many-${index}`),
        resources: options.manyResources,
      })),
    ];
    const stateRead = await stateReadLoad(platform, spread, load);
    log(`(d) the same on the one data product of (a)`);
    const stateReadOne = await stateReadLoad(platform, spread.slice(0, 1), load);
    return { warmUpMs, deploy, many, stateRead, stateReadOne };
  } finally {
    await platform.close();
  }
}

/** dynalite on a loaded machine sometimes answers ResourceNotFound right after creating a table: start again. */
async function startWithRetries(mode: BenchMode, workMs: number, attempts = 3) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startBenchPlatform(mode, workMs);
    } catch (error) {
      if (attempt >= attempts || (error as Error).name !== 'ResourceNotFoundException') throw error;
    }
  }
}

function startupRows(startup: StartupMeasurement): ResultRow[] {
  return [
    {
      case: `(e) dmp --help start-up (built CLI) vs node -e 0, medians of ${startup.runs}`,
      dmp: `${startup.cliMs} ms`,
      baseline: `${startup.nodeMs} ms`,
      ratio: `${startup.ratio}×`,
      target: '≤ 2.5×',
      pass: startup.ratio <= 2.5,
    },
    {
      case: '(e) the same from the sources through tsx (bin/dmp.js)',
      dmp: `${startup.sourceCliMs} ms`,
      baseline: `${startup.nodeMs} ms`,
      ratio: `${round(startup.sourceCliMs / startup.nodeMs)}×`,
      target: 'reported',
    },
  ];
}

function rowsOf(dmp: ModeResults, baseline: ModeResults | undefined): ResultRow[] {
  const ms = (value: number) => `${Math.round(value)} ms`;
  const { deploy } = dmp;
  const shape = `R=${deploy.resources} D=${deploy.depth} L=${deploy.workMs}ms`;
  const rows: ResultRow[] = [
    {
      case: `(a) deploy ${shape} vs critical path D×L`,
      dmp: ms(deploy.deployMs),
      baseline: `D×L ${ms(deploy.criticalPathMs)}`,
      ratio: `${round(deploy.deployMs / deploy.criticalPathMs)}×`,
      target: '< 1.10×',
      pass: deploy.deployMs < 1.1 * deploy.criticalPathMs,
    },
  ];
  if (baseline) {
    const speedUp = baseline.deploy.deployMs / deploy.deployMs;
    rows.push({
      case: `(a) deploy ${shape} vs baseline`,
      dmp: ms(deploy.deployMs),
      baseline: ms(baseline.deploy.deployMs),
      ratio: `${round(speedUp, 1)}× faster`,
      target: '≥ 4× faster',
      pass: speedUp >= 4,
    });
  }
  rows.push({
    case: '(b) state-service requests per resource',
    dmp: String(deploy.stateRequestsPerResource),
    baseline: baseline ? String(baseline.deploy.stateRequestsPerResource) : '—',
    ratio: baseline
      ? `${round(deploy.stateRequestsPerResource / baseline.deploy.stateRequestsPerResource)}×`
      : '—',
    target: '≤ 3',
    pass: deploy.stateRequestsPerResource <= 3,
  });
  const { many } = dmp;
  rows.push({
    case: `(c) data products/s, ${many.dataProducts} × ${many.resourcesEach} resources at once`,
    dmp: `${many.perSecond}/s`,
    baseline: baseline ? `${baseline.many.perSecond}/s` : '—',
    ratio: baseline ? `${round(many.perSecond / baseline.many.perSecond, 1)}×` : '—',
    target: 'reported',
  });
  const read = dmp.stateRead;
  const readOne = dmp.stateReadOne;
  if (read && readOne) {
    rows.push(
      {
        case: `(d) GET state req/s, ${read.concurrency} clients, ${read.dataProducts} data products (baseline: raw reads)`,
        dmp: `${read.endpoint.perSecond}/s`,
        baseline: `${read.rawDynamoDb.perSecond}/s`,
        ratio: `${read.throughputRatio}×`,
        target: '≥ 0.5×',
        pass: read.throughputRatio >= 0.5,
      },
      {
        case: '(d) GET state latency p50 / p99',
        dmp: `${read.endpoint.p50Ms} / ${read.endpoint.p99Ms} ms`,
        baseline: `${read.rawDynamoDb.p50Ms} / ${read.rawDynamoDb.p99Ms} ms`,
        ratio: `${round(read.endpoint.p99Ms / read.rawDynamoDb.p99Ms)}× (p99)`,
        target: 'reported',
      },
      {
        case: `(d) the same on 1 data product (concurrent GETs share reads)`,
        dmp: `${readOne.endpoint.perSecond}/s, p99 ${readOne.endpoint.p99Ms} ms`,
        baseline: `${readOne.rawDynamoDb.perSecond}/s, p99 ${readOne.rawDynamoDb.p99Ms} ms`,
        ratio: `${readOne.throughputRatio}×`,
        target: 'reported',
      },
    );
  }
  return rows;
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = readBenchOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const machine = machineInfo();
  const started = performance.now();
  // First, on a machine not yet busy with a platform: start-up is what a CI job pays on every `dmp` call.
  process.stderr.write('(e) dmp --help against node -e 0\n');
  const startup = await cliStartup();
  const dmp = options.startupOnly ? undefined : await runMode('dmp', options);
  const baseline = dmp && options.baseline ? await runMode('baseline', options) : undefined;
  const rows = [...(dmp ? rowsOf(dmp, baseline) : []), ...startupRows(startup)];
  process.stdout.write(`\n${formatTable(rows)}\n\n`);
  writeResults(options.output, {
    machine,
    parameters: options,
    modes: { dmp: MODE_ENV.dmp, baseline: MODE_ENV.baseline },
    totalSeconds: round((performance.now() - started) / 1000, 1),
    rows,
    startup,
    ...(dmp ? { dmp } : {}),
    ...(baseline ? { baseline } : {}),
  });
  process.stdout.write(`results written to ${options.output}\n`);
  return rows.some((row) => row.pass === false) ? 1 : 0;
}

process.env.DMP_LOG_LEVEL = 'silent';
main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`benchmark failed: ${(error as Error).stack ?? error}\n`);
    process.exit(2);
  },
);
