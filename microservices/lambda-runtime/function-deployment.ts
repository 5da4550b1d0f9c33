import type { FunctionDescription, FunctionHost, FunctionSpec } from './function-host.js';
import { assertOwnedBy } from './function-ownership.js';

/**
 * Converging one function to its spec, shared by the workload and the
 * observability microservices. A function is only ever changed or deleted by
 * the dmp resource named in its `dmp:owner` tag, so two resources (or a
 * function made by hand) that pick the same name never overwrite each other.
 */
export interface DeployedFunction {
  description: FunctionDescription;
  created: boolean;
}

/**
 * Creates the function when missing; otherwise sets its configuration and
 * code to the spec's. The host cannot say which code or limits a function
 * runs, so an existing function is always brought to the spec: doing it twice
 * leaves the same function.
 */
export async function deployFunction(host: FunctionHost, spec: FunctionSpec): Promise<DeployedFunction> {
  const existing = await host.describe(spec.name);
  if (!existing) return { description: await host.create(spec), created: true };
  assertOwnedBy(existing, spec.owner);
  // Code first: a new artifact may be the one that holds the new handler's module.
  await host.updateCode(spec);
  return { description: await host.updateConfiguration(spec), created: false };
}

export type RemovalOutcome = 'deleted' | 'absent' | 'foreign';

/** Deletes the function if this resource owns it; someone else's function is left alone. */
export async function removeOwnedFunction(
  host: FunctionHost,
  name: string,
  owner: string,
): Promise<RemovalOutcome> {
  const existing = await host.describe(name);
  if (!existing) return 'absent';
  if (existing.owner !== owner) return 'foreign';
  await host.delete(name);
  return 'deleted';
}
