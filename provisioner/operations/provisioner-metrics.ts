import { Counter, Histogram, type Registry } from 'prom-client';

/** What the provisioner measures beyond HTTP: operations, provisioning time, state-service polls. */
export class ProvisionerMetrics {
  private readonly operations: Counter<'kind' | 'outcome'>;
  private readonly provisioning: Histogram<'technology' | 'outcome'>;
  private readonly polls: Counter;
  private readonly pollsPerResource: Histogram;

  constructor(registry: Registry) {
    this.operations = new Counter({
      name: 'dmp_operations_total',
      help: 'Finished operations by kind and outcome (final data product state)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    });
    this.provisioning = new Histogram({
      name: 'dmp_resource_provisioning_seconds',
      help: 'Time from dispatch to a settled resource, per technology',
      labelNames: ['technology', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600],
      registers: [registry],
    });
    this.polls = new Counter({
      name: 'dmp_state_polls_total',
      help: 'State-service polls made while waiting for resources',
      registers: [registry],
    });
    this.pollsPerResource = new Histogram({
      name: 'dmp_state_polls_per_resource',
      help: 'State-service polls of an operation divided by the resources it dispatched',
      buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 25],
      registers: [registry],
    });
  }

  operationFinished(kind: string, outcome: string, polls: number, dispatched: number): void {
    this.operations.inc({ kind, outcome });
    if (dispatched > 0) this.pollsPerResource.observe(polls / dispatched);
  }

  resourceSettled(technology: string, outcome: string, seconds: number): void {
    this.provisioning.observe({ technology, outcome }, seconds);
  }

  statePolled(): void {
    this.polls.inc();
  }
}
