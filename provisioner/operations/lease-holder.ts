import { ConflictError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { StateClient } from '../../shared/state/state-client.js';
import type { Operation } from './operation.js';

/** The lease of a running operation, renewed in the background until released or lost. */
export interface HeldLease {
  /** True once a renewal was refused: another instance took the operation over. */
  lost(): boolean;
  /** Aborted on stop or lease loss: a long-poll in progress must not hold the run. */
  interrupted: AbortSignal;
  /** Stops renewing and, unless lost, gives the lease back. */
  release(): Promise<void>;
}

export interface LeaseOptions {
  /** Who this provisioner is, as the owner of leases. */
  owner: string;
  /** How long a lease lasts without renewal; an operation whose lease lapses is resumed elsewhere. */
  leaseMs: number;
}

/**
 * Claims the operation's lease and keeps renewing it (three times a lease
 * period); undefined when another instance holds it.
 */
export async function holdLease(
  state: StateClient,
  operation: Operation,
  options: LeaseOptions,
  stopping: AbortSignal,
  log: Logger,
): Promise<HeldLease | undefined> {
  const lease = { owner: options.owner, operationId: operation.operationId, ttlMs: options.leaseMs };
  try {
    await state.lease(operation.ref, 'claim', lease);
  } catch (error) {
    if (error instanceof ConflictError) {
      log.info({ reason: error.message }, 'operation is run by another instance');
      return undefined;
    }
    throw error;
  }
  let lost = false;
  const lostLease = new AbortController();
  const renew = () => {
    state.lease(operation.ref, 'renew', lease).catch((error) => {
      if (error instanceof ConflictError) {
        lost = true;
        lostLease.abort();
      }
      log.warn({ err: error }, 'lease renewal failed');
    });
  };
  const timer = setInterval(renew, Math.max(50, Math.floor(options.leaseMs / 3)));
  timer.unref();
  return {
    lost: () => lost,
    interrupted: AbortSignal.any([stopping, lostLease.signal]),
    release: async () => {
      clearInterval(timer);
      if (lost) return;
      await state.lease(operation.ref, 'release', { owner: options.owner }).catch(() => undefined);
    },
  };
}
