/**
 * The lifecycle of data products and resources: the states, which of them are
 * transit states, and the one table of allowed transitions. Pure: the state
 * service enforces it, the provisioner and microservices reason with it.
 */

export const TRANSIT_STATES = ['CREATING', 'UPDATING', 'DELETING'] as const;
export const CONSISTENT_STATES = ['NONE', 'CREATED', 'DELETED', 'FAILED', 'NOT_COMPLETED'] as const;

export type TransitState = (typeof TRANSIT_STATES)[number];
export type ConsistentState = (typeof CONSISTENT_STATES)[number];
export type LifecycleState = TransitState | ConsistentState;
export type ResourceState = Exclude<LifecycleState, 'NOT_COMPLETED'>;

export const DATA_PRODUCT_STATES: readonly LifecycleState[] = [...CONSISTENT_STATES, ...TRANSIT_STATES];
export const RESOURCE_STATES: readonly ResourceState[] = [
  'NONE',
  'CREATED',
  'DELETED',
  'FAILED',
  ...TRANSIT_STATES,
];

export function isTransit(state: LifecycleState): state is TransitState {
  return (TRANSIT_STATES as readonly string[]).includes(state);
}

const DATA_PRODUCT_TRANSITIONS: Record<LifecycleState, readonly LifecycleState[]> = {
  NONE: ['CREATING'],
  CREATED: ['UPDATING', 'DELETING'],
  DELETED: ['CREATING', 'DELETING'],
  FAILED: ['CREATING', 'UPDATING', 'DELETING'],
  NOT_COMPLETED: ['CREATING', 'UPDATING', 'DELETING'],
  CREATING: ['CREATED', 'NOT_COMPLETED', 'FAILED'],
  UPDATING: ['CREATED', 'NOT_COMPLETED', 'FAILED'],
  DELETING: ['DELETED', 'NOT_COMPLETED', 'FAILED'],
};

const RESOURCE_TRANSITIONS: Record<ResourceState, readonly ResourceState[]> = {
  NONE: ['CREATING', 'FAILED'],
  CREATED: ['UPDATING', 'DELETING', 'FAILED'],
  DELETED: ['CREATING', 'DELETING', 'FAILED'],
  FAILED: ['CREATING', 'UPDATING', 'DELETING', 'FAILED'],
  CREATING: ['CREATED', 'FAILED'],
  UPDATING: ['CREATED', 'FAILED'],
  DELETING: ['DELETED', 'FAILED'],
};

export function canDataProductMove(from: LifecycleState, to: LifecycleState): boolean {
  return DATA_PRODUCT_TRANSITIONS[from].includes(to);
}

export function canResourceMove(from: ResourceState, to: ResourceState): boolean {
  return RESOURCE_TRANSITIONS[from].includes(to);
}

/** Where each microservice call takes a resource, and where it ends when the work succeeds. */
export const RESOURCE_METHOD_STATES = {
  POST: { transit: 'CREATING', done: 'CREATED' },
  PUT: { transit: 'UPDATING', done: 'CREATED' },
  DELETE: { transit: 'DELETING', done: 'DELETED' },
} as const satisfies Record<string, { transit: TransitState; done: ResourceState }>;

export type ResourceMethod = keyof typeof RESOURCE_METHOD_STATES;
