import type { ResourceDescriptor } from '../descriptor/types.js';
import type { ResourceMethod } from '../state/lifecycle.js';
import type { ResourceRequest } from './resource-request.js';

/** The asynchronous part of a microservice call; serialisable, so that Lambda can hand it to another invocation. */
export interface ResourceJob {
  method: ResourceMethod;
  request: ResourceRequest;
  previous: ResourceDescriptor | null;
}

/** Runs accepted jobs after the synchronous answer has been sent. */
export interface WorkRunner {
  run(job: ResourceJob): Promise<void>;
}

/** Runs jobs in this process, in the background; `idle()` resolves once none is running. */
export class InProcessWorkRunner implements WorkRunner {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly work: (job: ResourceJob) => Promise<void>) {}

  async run(job: ResourceJob): Promise<void> {
    const task = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.work(job));
    this.running.add(task);
    task.finally(() => this.running.delete(task)).catch(() => undefined);
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
