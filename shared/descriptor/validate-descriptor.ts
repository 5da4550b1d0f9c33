import { Ajv, type ValidateFunction } from 'ajv';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { findCycles, graphOf } from './dependency-graph.js';
import { descriptorSchema, PATTERN_MESSAGES } from './descriptor-schema.js';
import { capped, withHints } from './issue-hints.js';
import { issuesFromAjv } from './schema-issues.js';
import { locateIssues, type SourceDocument } from './source-document.js';
import {
  type DataProductDescriptor,
  RESOURCE_LISTS,
  type ResourceDescriptor,
  type ResourceKind,
  type ResourceListName,
} from './types.js';

/** What discovery knows, as far as validation needs it. */
export interface TechnologyCatalog {
  environments(): string[];
  /** Technologies registered for a kind of resource in an environment, or undefined when the environment is unknown. */
  technologiesIn(environment: string, kind?: ResourceKind): string[] | undefined;
}

let compiledSchema: ValidateFunction | undefined;

/** The descriptor schema, compiled on first use: a CLI run that validates nothing does not pay for it. */
function descriptorSchemaCheck(): ValidateFunction {
  compiledSchema ??= new Ajv({ allErrors: true, verbose: true, strict: true }).compile(descriptorSchema);
  return compiledSchema;
}

type RawResource = Record<string, unknown>;
type RawDescriptor = Record<string, unknown>;

interface LocatedResource {
  path: string;
  kind: ResourceKind;
  raw: RawResource;
}

/**
 * Validates a parsed descriptor against the schema and the semantic rules,
 * reporting every problem at once; returns the normalised descriptor.
 */
export function validateDescriptor(
  document: SourceDocument,
  catalog: TechnologyCatalog,
): DataProductDescriptor {
  const raw = document.value;
  const issues: ValidationIssue[] = [];
  const checkSchema = descriptorSchemaCheck();
  if (!checkSchema(raw)) issues.push(...issuesFromAjv(checkSchema.errors, PATTERN_MESSAGES));
  if (isRecord(raw)) {
    const resources = locateResources(raw, issues);
    issues.push(...checkResourceTypes(resources));
    issues.push(...checkNamesAndDependencies(resources));
    issues.push(...checkTechnologies(raw, resources, catalog));
  }
  if (issues.length > 0) {
    const unique = dedupe(issues);
    const located = locateIssues(capped(unique.map((issue) => withHints(issue, raw))), document);
    const count = unique.length === 1 ? '1 problem' : `${unique.length} problems`;
    throw new ValidationError(`The data product descriptor is invalid (${count})`, located);
  }
  return normalise(raw as RawDescriptor);
}

function locateResources(raw: RawDescriptor, issues: ValidationIssue[]): LocatedResource[] {
  if (raw.outputPorts !== undefined && raw.outputports !== undefined) {
    issues.push({ path: '/outputports', message: 'give either outputPorts or outputports, not both' });
  }
  const located: LocatedResource[] = [];
  for (const [listName, kind] of Object.entries(RESOURCE_LISTS) as [ResourceListName, ResourceKind][]) {
    const key = listName === 'outputPorts' && raw.outputPorts === undefined ? 'outputports' : listName;
    const list = raw[key];
    if (!Array.isArray(list)) continue;
    list.forEach((item, index) => {
      if (isRecord(item)) located.push({ path: `/${key}/${index}`, kind, raw: item });
    });
  }
  if (located.length === 0) {
    issues.push({
      path: '',
      message: 'a data product needs at least one resource in outputPorts, workloads or observability',
    });
  }
  return located;
}

function checkResourceTypes(resources: LocatedResource[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const { path, raw } of resources) {
    if (raw.type === undefined && raw.resourceType === undefined) {
      issues.push({
        path: `${path}/type`,
        message: 'is required (the spelling resourceType is accepted too)',
      });
    } else if (raw.type !== undefined && raw.resourceType !== undefined) {
      issues.push({ path: `${path}/resourceType`, message: 'give either type or resourceType, not both' });
    }
  }
  return issues;
}

function checkNamesAndDependencies(resources: LocatedResource[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const firstPathOf = new Map<string, string>();
  for (const { path, raw } of resources) {
    if (typeof raw.name !== 'string') continue;
    const previous = firstPathOf.get(raw.name);
    if (previous === undefined) firstPathOf.set(raw.name, path);
    else {
      issues.push({
        path: `${path}/name`,
        message: `duplicate resource name "${raw.name}": already used at ${previous}; names are unique across outputPorts, workloads and observability`,
      });
    }
  }
  const known = [...firstPathOf.keys()];
  const graphInput: { name: string; dependsOn: string[] }[] = [];
  for (const { path, raw } of resources) {
    const dependsOn = stringsIn(raw.dependsOn);
    dependsOn.forEach((dependency, index) => {
      if (!firstPathOf.has(dependency)) {
        issues.push({
          path: `${path}/dependsOn/${index}`,
          message: `"${dependency}" is not a resource of this data product (resources: ${known.join(', ') || 'none'})`,
        });
      }
    });
    if (typeof raw.name === 'string' && firstPathOf.get(raw.name) === path) {
      graphInput.push({ name: raw.name, dependsOn });
    }
  }
  for (const cycle of findCycles(graphOf(graphInput))) {
    const start = cycle[0] ?? '';
    issues.push({
      path: `${firstPathOf.get(start) ?? ''}/dependsOn`,
      message: `dependency cycle: ${cycle.join(' → ')}`,
    });
  }
  return issues;
}

function checkTechnologies(
  raw: RawDescriptor,
  resources: LocatedResource[],
  catalog: TechnologyCatalog,
): ValidationIssue[] {
  const environment = isRecord(raw.environment) ? raw.environment.name : undefined;
  if (typeof environment !== 'string' || environment === '') return [];
  const registered = catalog.technologiesIn(environment);
  if (registered === undefined) {
    return [
      {
        path: '/environment/name',
        message: `environment "${environment}" is not registered in discovery (registered: ${catalog.environments().join(', ') || 'none'})`,
      },
    ];
  }
  const issues: ValidationIssue[] = [];
  for (const { path, kind, raw: resource } of resources) {
    const technology = resource.technology;
    const forKind = catalog.technologiesIn(environment, kind) ?? registered;
    if (typeof technology === 'string' && technology !== '' && !forKind.includes(technology)) {
      issues.push({
        path: `${path}/technology`,
        message: `technology "${technology}" is not registered for ${kind} resources in environment "${environment}" (registered: ${forKind.join(', ') || 'none'})`,
      });
    }
  }
  return issues;
}

function normalise(raw: RawDescriptor): DataProductDescriptor {
  const environment = raw.environment as Record<string, unknown>;
  const list = (key: string, kind: ResourceKind) =>
    ((raw[key] as RawResource[] | undefined) ?? []).map((resource) => normaliseResource(resource, kind));
  return {
    name: raw.name as string,
    domain: raw.domain as string,
    version: raw.version as string,
    environment: { name: environment.name as string, specific: recordOr(environment.specific) },
    outputPorts: list(raw.outputPorts === undefined ? 'outputports' : 'outputPorts', 'outputPort'),
    workloads: list('workloads', 'workload'),
    observability: list('observability', 'observability'),
  };
}

function normaliseResource(raw: RawResource, kind: ResourceKind): ResourceDescriptor {
  const resource: ResourceDescriptor = {
    kind,
    name: raw.name as string,
    type: (raw.type ?? raw.resourceType) as string,
    technology: raw.technology as string,
    allow: stringsIn(raw.allow),
    dependsOn: stringsIn(raw.dependsOn),
    specific: recordOr(raw.specific),
  };
  if (typeof raw.description === 'string') resource.description = raw.description;
  if (typeof raw.owner === 'string') resource.owner = raw.owner;
  return resource;
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function recordOr(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function stringsIn(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
