import type {
  DataProductDescriptor,
  DataProductRef,
  ResourceDescriptor,
} from '../../shared/descriptor/types.js';
import type { LifecycleState } from '../../shared/state/lifecycle.js';
import type { OperationStep } from '../../shared/state/records.js';
import type { OperationKind } from '../domain/plan-operation.js';

/** One operation on one data product, as the runner drives it. */
export interface Operation {
  operationId: string;
  ref: DataProductRef;
  kind: OperationKind;
  /** The data product's state while the operation runs (CREATING, UPDATING or DELETING). */
  transit: LifecycleState;
  descriptor: DataProductDescriptor;
  removeData: boolean;
  steps: OperationStep[];
  resources: Map<string, ResourceDescriptor>;
}
