/** The value below which `fraction` of the samples fall (nearest rank); NaN without samples. */
export function percentile(samples: readonly number[], fraction: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Latency summary of a load run, in milliseconds and requests per second. */
export interface LoadSummary {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export function summarize(latenciesMs: readonly number[], errors: number, seconds: number): LoadSummary {
  return {
    requests: latenciesMs.length,
    errors,
    seconds: round(seconds),
    perSecond: round(latenciesMs.length / seconds, 1),
    p50Ms: round(percentile(latenciesMs, 0.5)),
    p99Ms: round(percentile(latenciesMs, 0.99)),
  };
}
