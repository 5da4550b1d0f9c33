import { type LoadSummary, summarize } from './stats.js';

/**
 * `concurrency` clients, each sending one request after the other for
 * `seconds`; every completed request's latency is kept. A request that throws
 * counts as an error.
 */
export async function runLoad(
  request: () => Promise<void>,
  { concurrency, seconds }: { concurrency: number; seconds: number },
): Promise<LoadSummary> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        await request();
        latencies.push(performance.now() - sent);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return summarize(latencies, errors, (performance.now() - started) / 1000);
}
