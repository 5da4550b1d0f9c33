/**
 * Request id of the bench's reads: the provisioner passes it on to the state
 * service, where the request counter tells the bench's own traffic apart.
 */
export const OBSERVER_REQUEST_ID = 'bench-observer';

/** The bench's HTTP calls to the provisioner, as any client would make them (keep-alive fetch). */
export class BenchClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async postDescriptor(yaml: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.baseUrl}/v1/dataproduct`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/yaml' },
      body: yaml,
    });
    return { status: response.status, body: await response.json() };
  }

  async get<T>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${this.token}`, 'x-request-id': OBSERVER_REQUEST_ID },
    });
    return { status: response.status, body: (await response.json()) as T };
  }
}

/** Calls `probe` every `intervalMs` until it returns a value, or fails after `timeoutMs`. */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  { intervalMs, timeoutMs, what }: { intervalMs: number; timeoutMs: number; what: string },
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`${what} not observed within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
