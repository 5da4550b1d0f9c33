export interface BenchOptions {
  quick: boolean;
  /** Case (a)/(b): resources R, DAG depth D, work time L of each resource. */
  resources: number;
  depth: number;
  workMs: number;
  /** Case (c): data products deployed at once, and the resources and depth of each. */
  manyDataProducts: number;
  manyResources: number;
  manyDepth: number;
  /** Case (d): concurrent clients and seconds of load per side. */
  concurrency: number;
  loadSeconds: number;
  /** Skip the baseline runs (ratios against it are then absent). */
  baseline: boolean;
  /** Case (e) only: the CLI's start-up, without any platform. */
  startupOnly: boolean;
  output: string;
}

const DEFAULTS: BenchOptions = {
  quick: false,
  resources: 50,
  depth: 5,
  workMs: 200,
  manyDataProducts: 20,
  manyResources: 10,
  manyDepth: 2,
  concurrency: 32,
  loadSeconds: 8,
  baseline: true,
  startupOnly: false,
  output: 'bench/results.json',
};

const QUICK: Partial<BenchOptions> = {
  resources: 10,
  depth: 5,
  workMs: 100,
  manyDataProducts: 6,
  manyResources: 6,
  loadSeconds: 2,
};

const FLAGS: Record<string, keyof BenchOptions> = {
  resources: 'resources',
  depth: 'depth',
  'work-ms': 'workMs',
  'many-data-products': 'manyDataProducts',
  'many-resources': 'manyResources',
  'many-depth': 'manyDepth',
  concurrency: 'concurrency',
  'load-seconds': 'loadSeconds',
  output: 'output',
};

export const USAGE = `npm run bench -- [--quick] [--no-baseline] [--startup-only] [--resources N] [--depth N] [--work-ms N]
  [--many-data-products N] [--many-resources N] [--many-depth N] [--concurrency N] [--load-seconds N]
  [--output FILE]
Each flag can also be set as an environment variable: DMP_BENCH_RESOURCES=50, DMP_BENCH_QUICK=true, …`;

/** Flags win over DMP_BENCH_* variables, which win over the (quick) defaults; a bad value throws. */
export function readBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const given = new Map<string, string>();
  for (const flag of [...Object.keys(FLAGS), 'quick', 'baseline', 'startup-only']) {
    const value = env[`DMP_BENCH_${flag.toUpperCase().replaceAll('-', '_')}`];
    if (value !== undefined) given.set(flag, value);
  }
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (arg === '--quick') given.set('quick', 'true');
    else if (arg === '--no-baseline') given.set('baseline', 'false');
    else if (arg === '--startup-only') given.set('startup-only', 'true');
    else if (arg === '--help' || arg === '-h') throw new Error(USAGE);
    else if (arg.startsWith('--')) {
      const [flag, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      if (!(flag in FLAGS)) throw new Error(`unknown flag ${arg}\n${USAGE}`);
      const value = inline ?? argv[++index];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      given.set(flag, value);
    } else throw new Error(`unexpected argument ${arg}\n${USAGE}`);
  }
  const problems: string[] = [];
  const switchOf = (flag: 'quick' | 'baseline' | 'startup-only', fallback: boolean): boolean => {
    const value = given.get(flag);
    if (value === undefined) return fallback;
    if (value === 'true' || value === 'false') return value === 'true';
    problems.push(
      `DMP_BENCH_${flag.toUpperCase().replaceAll('-', '_')} must be true or false, got "${value}"`,
    );
    return fallback;
  };
  const quick = switchOf('quick', false);
  const options: BenchOptions = { ...DEFAULTS, ...(quick ? QUICK : {}), quick };
  options.baseline = switchOf('baseline', DEFAULTS.baseline);
  options.startupOnly = switchOf('startup-only', DEFAULTS.startupOnly);
  for (const [flag, key] of Object.entries(FLAGS)) {
    const value = given.get(flag);
    if (value === undefined) continue;
    if (key === 'output') options.output = value;
    else if (/^[1-9][0-9]{0,5}$/.test(value)) (options[key] as number) = Number(value);
    else problems.push(`--${flag} must be a positive integer, got "${value}"`);
  }
  if (options.depth > options.resources) problems.push('--depth cannot exceed --resources');
  if (options.manyDepth > options.manyResources) problems.push('--many-depth cannot exceed --many-resources');
  // (c) and (d) follow the many data products through one listing page of 100, with (a)'s and the warm-up's.
  if (options.manyDataProducts > 90) problems.push('--many-data-products can be at most 90');
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${USAGE}`);
  return options;
}
