import { resolveRef } from './openapi-refs.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];
const PARAMETER_LOCATIONS = ['path', 'query', 'header', 'cookie'];
const STATUS = /^([1-5]XX|[1-5][0-9]{2}|default)$/;
const TEMPLATE_SEGMENT = /^\{([A-Za-z0-9_.-]+)\}$/;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * What keeps a value from being an OpenAPI 3 document dmp can serve and
 * validate against: the required fields, well-formed paths whose templated
 * segments are declared path parameters, responses with descriptions, unique
 * operation ids, known security schemes, and local references that resolve.
 * Not a full validator of the specification: no such library is installed,
 * and these are the mistakes that break the request validator or the docs.
 */
export function openApiProblems(document: unknown): string[] {
  if (!isObject(document)) return ['the document is not an object'];
  const problems: string[] = [];
  if (typeof document.openapi !== 'string' || !/^3\.[01]\.\d+$/.test(document.openapi)) {
    problems.push('openapi must be a 3.0.x or 3.1.x version string');
  }
  const info = document.info;
  if (!isObject(info) || typeof info.title !== 'string' || typeof info.version !== 'string') {
    problems.push('info must have a title and a version');
  }
  problems.push(...brokenRefs(document, document, '#'));
  if (!isObject(document.paths)) return [...problems, 'paths must be an object'];
  const schemes = isObject(document.components) ? document.components.securitySchemes : undefined;
  const operationIds = new Set<string>();
  problems.push(...securityProblems(document.security, schemes, 'security'));
  for (const [path, item] of Object.entries(document.paths)) {
    if (!isObject(item)) {
      problems.push(`${path}: the path item is not an object`);
      continue;
    }
    const templated = templateParameters(path, problems);
    const pathParameters = parametersOf(document, item.parameters, path, problems);
    for (const method of METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (!isObject(operation)) {
        problems.push(`${where}: the operation is not an object`);
        continue;
      }
      if (typeof operation.operationId === 'string') {
        if (operationIds.has(operation.operationId)) {
          problems.push(`${where}: operationId ${operation.operationId} is used twice`);
        }
        operationIds.add(operation.operationId);
      }
      const parameters = new Map([
        ...pathParameters,
        ...parametersOf(document, operation.parameters, where, problems),
      ]);
      for (const name of templated) {
        const declared = parameters.get(`path:${name}`);
        if (!declared) problems.push(`${where}: path parameter ${name} is not declared`);
        else if (declared.required !== true)
          problems.push(`${where}: path parameter ${name} must be required`);
      }
      for (const [key] of parameters) {
        if (key.startsWith('path:') && !templated.includes(key.slice(5))) {
          problems.push(`${where}: path parameter ${key.slice(5)} is not in the path`);
        }
      }
      problems.push(...responseProblems(document, operation.responses, where));
      problems.push(...requestBodyProblems(document, operation.requestBody, where));
      problems.push(...securityProblems(operation.security, schemes, `${where} security`));
    }
  }
  return problems;
}

function templateParameters(path: string, problems: string[]): string[] {
  if (!path.startsWith('/')) problems.push(`${path}: a path must start with /`);
  const names: string[] = [];
  for (const segment of path.split('/')) {
    const match = TEMPLATE_SEGMENT.exec(segment);
    if (match?.[1]) {
      if (names.includes(match[1])) problems.push(`${path}: path parameter ${match[1]} appears twice`);
      names.push(match[1]);
    } else if (/[{}]/.test(segment)) {
      problems.push(`${path}: a path parameter must be a whole segment`);
    }
  }
  return names;
}

function parametersOf(document: Json, value: unknown, where: string, problems: string[]): Map<string, Json> {
  const parameters = new Map<string, Json>();
  if (value === undefined) return parameters;
  if (!Array.isArray(value)) {
    problems.push(`${where}: parameters must be an array`);
    return parameters;
  }
  for (const entry of value) {
    const parameter = followRef(document, entry);
    if (
      !isObject(parameter) ||
      typeof parameter.name !== 'string' ||
      !PARAMETER_LOCATIONS.includes(String(parameter.in))
    ) {
      problems.push(`${where}: a parameter needs a name and an in of ${PARAMETER_LOCATIONS.join(', ')}`);
      continue;
    }
    if (!isObject(parameter.schema) && !isObject(parameter.content)) {
      problems.push(`${where}: parameter ${parameter.name} needs a schema`);
    }
    parameters.set(`${parameter.in}:${parameter.name}`, parameter);
  }
  return parameters;
}

function responseProblems(document: Json, responses: unknown, where: string): string[] {
  if (!isObject(responses) || Object.keys(responses).length === 0) {
    return [`${where}: responses must list at least one response`];
  }
  const problems: string[] = [];
  for (const [status, value] of Object.entries(responses)) {
    if (!STATUS.test(status)) problems.push(`${where}: ${status} is not a status code`);
    const response = followRef(document, value);
    if (!isObject(response) || typeof response.description !== 'string') {
      problems.push(`${where}: response ${status} needs a description`);
    }
  }
  return problems;
}

function requestBodyProblems(document: Json, value: unknown, where: string): string[] {
  if (value === undefined) return [];
  const body = followRef(document, value);
  if (!isObject(body) || !isObject(body.content) || Object.keys(body.content).length === 0) {
    return [`${where}: requestBody needs content`];
  }
  return [];
}

function securityProblems(value: unknown, schemes: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [`${where} must be an array`];
  const names = value.flatMap((requirement) => (isObject(requirement) ? Object.keys(requirement) : []));
  return names
    .filter((name) => !isObject(schemes) || !(name in schemes))
    .map((name) => `${where}: security scheme ${name} is not in components.securitySchemes`);
}

function brokenRefs(document: Json, value: unknown, where: string): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => brokenRefs(document, item, `${where}/${index}`));
  if (!isObject(value)) return [];
  const problems: string[] = [];
  if (typeof value.$ref === 'string' && resolveRef(document, value.$ref) === undefined) {
    problems.push(`${where}: $ref ${value.$ref} points nowhere`);
  }
  for (const [key, child] of Object.entries(value)) {
    if (key !== '$ref') problems.push(...brokenRefs(document, child, `${where}/${key}`));
  }
  return problems;
}

function followRef(document: Json, value: unknown): unknown {
  let current = value;
  for (let hops = 0; hops < 10 && isObject(current) && typeof current.$ref === 'string'; hops += 1) {
    current = resolveRef(document, current.$ref);
  }
  return current;
}
