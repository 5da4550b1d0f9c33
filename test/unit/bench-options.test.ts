import { describe, expect, it } from 'vitest';
import { readBenchOptions } from '../../bench/bench-options.js';

describe('readBenchOptions', () => {
  it('reads the defaults, --quick and --no-baseline, and true/false variables', () => {
    expect(readBenchOptions([], {})).toMatchObject({ quick: false, baseline: true, resources: 50 });
    expect(readBenchOptions(['--quick', '--no-baseline'], {})).toMatchObject({
      quick: true,
      baseline: false,
    });
    expect(readBenchOptions([], { DMP_BENCH_QUICK: 'true', DMP_BENCH_BASELINE: 'false' })).toMatchObject({
      quick: true,
      baseline: false,
    });
  });

  it('runs only the start-up case with --startup-only or DMP_BENCH_STARTUP_ONLY=true', () => {
    expect(readBenchOptions([], {}).startupOnly).toBe(false);
    expect(readBenchOptions(['--startup-only'], {}).startupOnly).toBe(true);
    expect(readBenchOptions([], { DMP_BENCH_STARTUP_ONLY: 'true' }).startupOnly).toBe(true);
    expect(() => readBenchOptions([], { DMP_BENCH_STARTUP_ONLY: 'yes' })).toThrow(
      'DMP_BENCH_STARTUP_ONLY must be true or false, got "yes"',
    );
  });

  it('refuses a switch variable that is not true or false instead of ignoring it, naming every problem', () => {
    expect(() =>
      readBenchOptions(['--many-data-products', '150'], { DMP_BENCH_QUICK: 'yes', DMP_BENCH_BASELINE: '0' }),
    ).toThrow(
      /DMP_BENCH_QUICK must be true or false, got "yes"\nDMP_BENCH_BASELINE must be true or false, got "0"\n--many-data-products can be at most 90/,
    );
  });
});
