import { type DataProductRef, describeRef } from '../../shared/descriptor/types.js';
import type { ValidationIssue } from '../../shared/errors.js';
import type { ResourceDependency } from '../../shared/microservice/resource-request.js';
import {
  environmentBytes,
  environmentNamePart,
  MAX_ENVIRONMENT_BYTES,
} from '../lambda-runtime/lambda-naming.js';

/** Every dependency's info as one JSON object: `{"<resource>": {…info}}`. */
export const DEPENDENCIES_VARIABLE = 'DMP_DEPENDENCIES';
export const DEPENDENCY_PREFIX = 'DMP_DEP_';

export interface WorkloadEnvironmentInput {
  dataProduct: DataProductRef;
  resourceName: string;
  dependsOn: readonly string[];
  /** As the provisioner sent them; a dependency without an entry counts as empty info. */
  dependencies: Record<string, ResourceDependency> | undefined;
  /** The team's own variables (already checked: no reserved names). */
  user: Record<string, string>;
}

/**
 * The variables a workload runs with: the team's own, `DMP_DATA_PRODUCT`,
 * `DMP_RESOURCE`, one `DMP_DEP_<RESOURCE>_<KEY>` per scalar of each
 * dependency's info (`DMP_DEP_RAW_ORDERS_URI=s3://…`), and the whole of it as
 * JSON in `DMP_DEPENDENCIES` (lists and nested values are only there).
 * Pure; the issues say why it cannot be deployed (a name clash, or Lambda's
 * 4 KB limit).
 */
export function workloadEnvironment(input: WorkloadEnvironmentInput): {
  environment: Record<string, string>;
  issues: ValidationIssue[];
} {
  const clashingNames = prefixClashes(input.dependsOn);
  const issues = [...clashingNames];
  const dependencyInfo: Record<string, Record<string, unknown>> = {};
  const scalars: Record<string, string> = {};
  const origin = new Map<string, string>();
  for (const dependency of input.dependsOn) {
    const info = input.dependencies?.[dependency]?.info ?? {};
    dependencyInfo[dependency] = info;
    for (const [key, value] of Object.entries(info)) {
      if (!isScalar(value)) continue;
      const variable = dependencyVariableName(dependency, key);
      const source = `${dependency}.${key}`;
      const clash = origin.get(variable);
      if (clash && clashingNames.length === 0) {
        issues.push({
          path: `/dependencies/${dependency}/info/${key}`,
          message: `${source} and ${clash} would both be ${variable}; rename one of the resources`,
        });
      }
      origin.set(variable, source);
      scalars[variable] = String(value);
    }
  }
  const own = {
    DMP_DATA_PRODUCT: describeRef(input.dataProduct),
    DMP_RESOURCE: input.resourceName,
  };
  const environment = {
    ...input.user,
    ...own,
    ...scalars,
    ...(input.dependsOn.length > 0 ? { [DEPENDENCIES_VARIABLE]: JSON.stringify(dependencyInfo) } : {}),
  };
  const total = environmentBytes(environment);
  if (total > MAX_ENVIRONMENT_BYTES) {
    const userBytes = environmentBytes(input.user);
    issues.push({
      path: '/resource/specific/environment',
      message:
        `the function's environment would take ${total} bytes, over Lambda's limit of ${MAX_ENVIRONMENT_BYTES} ` +
        `(your variables: ${userBytes}, dependencies' info: ${total - userBytes - environmentBytes(own)}); ` +
        'shorten specific.environment or depend on fewer resources',
    });
  }
  return { environment, issues };
}

/** `raw-orders` + `restApiId` → `DMP_DEP_RAW_ORDERS_REST_API_ID`. */
export function dependencyVariableName(dependency: string, key: string): string {
  const snakeKey = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2');
  return `${DEPENDENCY_PREFIX}${environmentNamePart(dependency)}_${environmentNamePart(snakeKey)}`;
}

/** Two dependencies whose names differ only in case or punctuation would write the same variables. */
function prefixClashes(dependsOn: readonly string[]): ValidationIssue[] {
  const seen = new Map<string, string>();
  const issues: ValidationIssue[] = [];
  dependsOn.forEach((dependency, index) => {
    const part = environmentNamePart(dependency);
    const earlier = seen.get(part);
    if (earlier !== undefined && earlier !== dependency) {
      issues.push({
        path: `/resource/dependsOn/${index}`,
        message: `${dependency} and ${earlier} would both become ${DEPENDENCY_PREFIX}${part}_… variables; rename one of them`,
      });
    }
    seen.set(part, dependency);
  });
  return issues;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
