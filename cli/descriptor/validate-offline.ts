import { Discovery } from '../../provisioner/discovery/discovery.js';
import { ConfigError } from '../../shared/config/env-reader.js';
import { locateIssues } from '../../shared/descriptor/source-document.js';
import { type DataProductDescriptor, refOf } from '../../shared/descriptor/types.js';
import { type TechnologyCatalog, validateDescriptor } from '../../shared/descriptor/validate-descriptor.js';
import { ValidationError } from '../../shared/errors.js';
import { evaluatePolicy } from '../../shared/governance/evaluate-policy.js';
import { loadGovernancePolicy } from '../../shared/governance/policy.js';
import { InvalidInputError, UsageError } from '../cli-errors.js';
import type { DescriptorFile } from './read-descriptor.js';

export interface OfflineChecks {
  /** A discovery config: environments and technologies are checked against it. */
  discoveryPath?: string;
  /** A governance policy file, checked as the server would. */
  policyPath?: string;
}

/**
 * Without a discovery config the CLI cannot know which environments and
 * technologies the server registers: it accepts those the descriptor names,
 * and `validate --remote` asks the server.
 */
function catalogAcceptingAll(value: unknown): TechnologyCatalog {
  const lists = ['outputPorts', 'outputports', 'workloads', 'observability'];
  const record = (value ?? {}) as Record<string, unknown>;
  const technologies = lists
    .flatMap((list) => (Array.isArray(record[list]) ? (record[list] as unknown[]) : []))
    .map((resource) => (resource as { technology?: unknown } | null)?.technology)
    .filter((technology): technology is string => typeof technology === 'string');
  return { environments: () => [], technologiesIn: () => technologies };
}

/** The server's own descriptor validation, run locally; every problem at once, each with its line. */
export function validateOffline(file: DescriptorFile, checks: OfflineChecks = {}): DataProductDescriptor {
  const { discoveryPath, policyPath } = checks;
  const catalog = discoveryPath
    ? loadConfig(() => Discovery.load(discoveryPath, 1))
    : catalogAcceptingAll(file.document.value);
  let descriptor: DataProductDescriptor;
  try {
    descriptor = validateDescriptor(file.document, catalog);
  } catch (error) {
    if (error instanceof ValidationError) throw new InvalidInputError(error.message, error.issues, file.file);
    throw error;
  }
  if (policyPath) {
    const policy = loadConfig(() => loadGovernancePolicy(policyPath));
    const violations = evaluatePolicy(policy, descriptor);
    if (violations.length > 0) {
      throw new InvalidInputError(
        `The descriptor violates governance policy (${violations.length} ${violations.length === 1 ? 'rule' : 'rules'})`,
        locateIssues(violations, file.document),
        file.file,
      );
    }
  }
  return descriptor;
}

/** The data product a descriptor names, refusing a descriptor the server would refuse. */
export function refOfDescriptorFile(file: DescriptorFile) {
  return refOf(validateOffline(file));
}

function loadConfig<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
