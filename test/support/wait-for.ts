/** Polls `probe` until it returns a value accepted by `until`, or fails after `timeoutMs` with the last value seen. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  until: (value: T) => boolean,
  { timeoutMs = 15_000, intervalMs = 25 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!until(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    last = await probe();
  }
  return last;
}
