import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedInvocation {
  functionName: string;
  invocationType: string | undefined;
  payload: unknown;
}

export interface InvokeRecorder {
  /** Where the functions' Lambda client is sent (AWS_ENDPOINT_URL_LAMBDA). */
  url: string;
  /** The next invocation received: resolves as soon as it arrives (or with one that arrived before). */
  next(): Promise<RecordedInvocation>;
  /** Requests that were not a Lambda Invoke; each answered 400. */
  unexpected: string[];
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * The Lambda service's Invoke API as far as an asynchronous self-invocation
 * uses it: records each `Event` invocation and accepts it (202), as Lambda
 * queues it; the test then delivers its payload to the function.
 */
export async function startInvokeRecorder(): Promise<InvokeRecorder> {
  const received: RecordedInvocation[] = [];
  const waiting: ((invocation: RecordedInvocation) => void)[] = [];
  const unexpected: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const match = INVOKE_PATH.exec(request.url ?? '');
      if (request.method !== 'POST' || !match) {
        unexpected.push(`${request.method} ${request.url}`);
        response.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"not an Invoke"}');
        return;
      }
      const invocation: RecordedInvocation = {
        functionName: decodeURIComponent(match[1] as string),
        invocationType: request.headers['x-amz-invocation-type'] as string | undefined,
        payload: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      };
      const waiter = waiting.shift();
      if (waiter) waiter(invocation);
      else received.push(invocation);
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    next: () => {
      const first = received.shift();
      return first ? Promise.resolve(first) : new Promise((resolve) => waiting.push(resolve));
    },
    unexpected,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
