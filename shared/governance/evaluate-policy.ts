import type { DataProductDescriptor, ResourceDescriptor, ResourceListName } from '../descriptor/types.js';
import { RESOURCE_LISTS } from '../descriptor/types.js';
import type { ValidationIssue } from '../errors.js';
import type { GovernancePolicy, GovernanceRule } from './policy.js';

interface Located {
  path: string;
  resource: ResourceDescriptor;
}

/** Every violation of every rule that applies to the descriptor's environment. Pure. */
export function evaluatePolicy(
  policy: GovernancePolicy,
  descriptor: DataProductDescriptor,
): ValidationIssue[] {
  const resources = locate(descriptor);
  const values = templateValues(descriptor);
  return policy.rules
    .filter((rule) => !rule.environments || rule.environments.includes(descriptor.environment.name))
    .flatMap((rule) =>
      check(rule, descriptor, resources, values).map((violation) => ({
        path: violation.path,
        message: `${rule.message}${violation.detail ? ` (${violation.detail})` : ''}`,
        rule: rule.id,
      })),
    );
}

type Violation = { path: string; detail?: string };

function check(
  rule: GovernanceRule,
  descriptor: DataProductDescriptor,
  resources: Located[],
  values: Record<string, string>,
): Violation[] {
  switch (rule.kind) {
    case 'requiredFields':
      return resources
        .filter(({ resource }) => !rule.params.kinds || rule.params.kinds.includes(resource.kind))
        .flatMap(({ path, resource }) =>
          rule.params.fields
            .filter((field) => {
              const value = resource[field];
              return value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
            })
            .map((field) => ({ path: `${path}/${field}`, detail: `${field} is missing` })),
        );
    case 'rolePattern': {
      const pattern = new RegExp(fill(rule.params.pattern, values, escapeRegExp));
      return resources.flatMap(({ path, resource }) => [
        ...(resource.owner && !pattern.test(resource.owner)
          ? [{ path: `${path}/owner`, detail: `"${resource.owner}" does not match ${pattern.source}` }]
          : []),
        ...resource.allow.flatMap((role, index) =>
          pattern.test(role)
            ? []
            : [{ path: `${path}/allow/${index}`, detail: `"${role}" does not match ${pattern.source}` }],
        ),
      ]);
    }
    case 'pathPrefix': {
      const prefix = fill(rule.params.prefix, values);
      return resources
        .filter(({ resource }) => rule.params.technologies.includes(resource.technology))
        .flatMap(({ path, resource }) =>
          rule.params.fields.flatMap((field) =>
            valuesAt(resource.specific, field)
              .filter(({ value }) => !`${value.replace(/\/+$/, '')}/`.startsWith(prefix))
              .map(({ value, pointer }) => ({
                path: `${path}/specific/${pointer}`,
                detail: `"${value}" is not under ${prefix}`,
              })),
          ),
        );
    }
    case 'allowedEnvironments': {
      const allowed = forDomain(rule.params.byDomain, descriptor.domain);
      return allowed && !allowed.includes(descriptor.environment.name)
        ? [{ path: '/environment/name', detail: `domain ${descriptor.domain} may use ${allowed.join(', ')}` }]
        : [];
    }
    case 'allowedTechnologies': {
      const allowed = forDomain(rule.params.byDomain, descriptor.domain);
      return allowed
        ? resources
            .filter(({ resource }) => !allowed.includes(resource.technology))
            .map(({ path, resource }) => ({
              path: `${path}/technology`,
              detail: `${resource.technology} is not among ${allowed.join(', ')}`,
            }))
        : [];
    }
    case 'maxResources':
      return resources.length > rule.params.max
        ? [{ path: '', detail: `${resources.length} resources, at most ${rule.params.max}` }]
        : [];
  }
}

function locate(descriptor: DataProductDescriptor): Located[] {
  return (Object.keys(RESOURCE_LISTS) as ResourceListName[]).flatMap((list) =>
    descriptor[list].map((resource, index) => ({ path: `/${list}/${index}`, resource })),
  );
}

function templateValues(descriptor: DataProductDescriptor): Record<string, string> {
  return {
    environment: descriptor.environment.name,
    domain: descriptor.domain,
    name: descriptor.name,
    version: descriptor.version,
    major: descriptor.version.split('.')[0] ?? descriptor.version,
  };
}

function fill(template: string, values: Record<string, string>, quote = (value: string) => value): string {
  return template.replaceAll(/\$\{(\w+)\}/g, (match, key: string) =>
    key in values ? quote(values[key] ?? '') : match,
  );
}

function escapeRegExp(value: string): string {
  return value.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function forDomain(byDomain: Record<string, string[]>, domain: string): string[] | undefined {
  return Object.hasOwn(byDomain, domain) ? byDomain[domain] : byDomain['*'];
}

/** The string values at a dotted field of `specific` (a list yields each item), with their JSON pointers. */
function valuesAt(specific: Record<string, unknown>, field: string): { value: string; pointer: string }[] {
  let current: unknown = specific;
  for (const key of field.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return [];
    current = (current as Record<string, unknown>)[key];
  }
  const pointer = field.split('.').join('/');
  if (typeof current === 'string') return [{ value: current, pointer }];
  if (Array.isArray(current)) {
    return current.flatMap((item, index) =>
      typeof item === 'string' ? [{ value: item, pointer: `${pointer}/${index}` }] : [],
    );
  }
  return [];
}
