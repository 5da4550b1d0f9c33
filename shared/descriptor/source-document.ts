import {
  constructFromEvents,
  EVENT_ID,
  type Event,
  getScalarValue,
  parseEvents,
  YAMLException,
} from 'js-yaml';
import { ValidationError, type ValidationIssue } from '../errors.js';

/**
 * A request body parsed into plain data, remembering where each value came from
 * so that validation errors can point at a line of the user's YAML.
 */
export interface SourceDocument {
  value: unknown;
  /** 1-based line of the value at a JSON pointer, or of its nearest located ancestor. */
  lineOf(pointer: string): number | undefined;
}

export interface DocumentLimits {
  maxDepth: number;
  maxAliases: number;
  /** Nodes after expanding aliases: bounds the work of everything that walks the value. */
  maxNodes: number;
}

export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = { maxDepth: 32, maxAliases: 64, maxNodes: 50_000 };

/** Keys that would reach an object's prototype if the value were ever merged naively. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Adds the YAML line of each issue's path, where the document knows it. */
export function locateIssues(
  issues: readonly ValidationIssue[],
  document: SourceDocument,
): ValidationIssue[] {
  return issues.map((issue) => {
    const line = document.lineOf(issue.path);
    return line === undefined ? issue : { ...issue, line };
  });
}

export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function parseYamlDocument(text: string, limits = DEFAULT_DOCUMENT_LIMITS): SourceDocument {
  let events: Event[];
  let constructed: unknown[];
  try {
    events = parseEvents(text, { maxDepth: limits.maxDepth });
    constructed = constructFromEvents(events, { source: text, maxAliases: limits.maxAliases });
  } catch (error) {
    throw yamlSyntaxError(error);
  }
  if (constructed.length !== 1) {
    const found = constructed.length === 0 ? 'an empty document' : `${constructed.length} documents`;
    throw new ValidationError('The body must be one YAML document', [
      { path: '', message: `expected exactly one YAML document, found ${found}` },
    ]);
  }
  const offsets = locateValues(events, text);
  const lineStarts = lineStartOffsets(text);
  const value = toPlainData(constructed[0], limits);
  return {
    value,
    lineOf: (pointer) => {
      const offset = nearestOffset(offsets, pointer);
      return offset === undefined ? undefined : lineAt(lineStarts, offset);
    },
  };
}

export function parseJsonDocument(text: string, limits = DEFAULT_DOCUMENT_LIMITS): SourceDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ValidationError('The body is not valid JSON', [
      { path: '', message: error instanceof Error ? error.message : 'invalid JSON' },
    ]);
  }
  return { value: toPlainData(parsed, limits), lineOf: () => undefined };
}

function yamlSyntaxError(error: unknown): ValidationError {
  if (error instanceof YAMLException) {
    const issue: ValidationIssue = { path: '', message: `invalid YAML: ${error.reason}` };
    if (error.mark) {
      issue.line = error.mark.line + 1;
      issue.column = error.mark.column + 1;
    }
    const where = issue.line ? ` at line ${issue.line}, column ${issue.column}` : '';
    return new ValidationError(`The body is not valid YAML: ${error.reason}${where}`, [issue], {
      cause: error,
    });
  }
  return new ValidationError('The body is not valid YAML', [{ path: '', message: String(error) }]);
}

/**
 * Copies parsed data into plain objects, refusing what no descriptor needs:
 * prototype keys, non-finite numbers and documents that expand (through
 * aliases) beyond the node budget.
 */
function toPlainData(root: unknown, limits: DocumentLimits): unknown {
  let nodes = 0;
  const problems: ValidationIssue[] = [];
  const copy = (value: unknown, pointer: string, depth: number): unknown => {
    nodes += 1;
    if (nodes > limits.maxNodes) {
      throw new ValidationError('The document is too large', [
        { path: '', message: `the document expands to more than ${limits.maxNodes} values` },
      ]);
    }
    if (depth > limits.maxDepth) {
      throw new ValidationError('The document is nested too deeply', [
        { path: pointer, message: `nesting deeper than ${limits.maxDepth} levels` },
      ]);
    }
    if (Array.isArray(value)) return value.map((item, index) => copy(item, `${pointer}/${index}`, depth + 1));
    if (value !== null && typeof value === 'object') {
      const result: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const itemPointer = `${pointer}/${escapePointerToken(key)}`;
        if (FORBIDDEN_KEYS.has(key)) {
          problems.push({ path: itemPointer, message: `the key "${key}" is not allowed` });
          continue;
        }
        result[key] = copy(item, itemPointer, depth + 1);
      }
      return result;
    }
    if (typeof value === 'number' && !storableNumber(value)) {
      problems.push({
        path: pointer,
        message: `${value} cannot be stored: numbers must be finite, within ±9.9e125 and not smaller than 1e-130`,
      });
    }
    return value;
  };
  const value = copy(root, '', 0);
  if (problems.length > 0) throw new ValidationError('The document contains forbidden values', problems);
  return value;
}

/** DynamoDB's number range: anything outside could be parsed but never stored. */
function storableNumber(value: number): boolean {
  const magnitude = Math.abs(value);
  return Number.isFinite(value) && magnitude < 9.9e125 && (magnitude === 0 || magnitude >= 1e-130);
}

interface Frame {
  kind: 'mapping' | 'sequence';
  pointer: string;
  nextIndex: number;
  expectingKey: boolean;
  key: string;
  keyOffset: number;
}

/** Maps the JSON pointer of every value to the source offset of its key (or of itself in a sequence). */
function locateValues(events: Event[], text: string): Map<string, number> {
  const offsets = new Map<string, number>([['', 0]]);
  const stack: Frame[] = [];
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) continue;
    if (event.type === EVENT_ID.POP) {
      stack.pop();
      continue;
    }
    const start =
      event.type === EVENT_ID.SCALAR
        ? event.valueStart
        : event.type === EVENT_ID.ALIAS
          ? event.anchorStart
          : event.start;
    const parent = stack.at(-1);
    let pointer = '';
    if (parent?.kind === 'mapping' && parent.expectingKey) {
      parent.expectingKey = false;
      parent.key = event.type === EVENT_ID.SCALAR ? getScalarValue(text, event) : '?';
      parent.keyOffset = start;
      if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) {
        // A complex key is rejected by validation later; walk it only to keep the stack balanced.
        const kind = event.type === EVENT_ID.MAPPING ? 'mapping' : 'sequence';
        stack.push({
          kind,
          pointer: '/?',
          nextIndex: 0,
          expectingKey: kind === 'mapping',
          key: '',
          keyOffset: 0,
        });
      }
      continue;
    }
    if (parent?.kind === 'mapping') {
      pointer = `${parent.pointer}/${escapePointerToken(parent.key)}`;
      offsets.set(pointer, parent.keyOffset);
      parent.expectingKey = true;
    } else if (parent?.kind === 'sequence') {
      pointer = `${parent.pointer}/${parent.nextIndex}`;
      parent.nextIndex += 1;
      offsets.set(pointer, start);
    }
    if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) {
      const kind = event.type === EVENT_ID.MAPPING ? 'mapping' : 'sequence';
      stack.push({ kind, pointer, nextIndex: 0, expectingKey: kind === 'mapping', key: '', keyOffset: 0 });
    }
  }
  return offsets;
}

function nearestOffset(offsets: Map<string, number>, pointer: string): number | undefined {
  let current = pointer;
  for (;;) {
    const offset = offsets.get(current);
    if (offset !== undefined) return offset;
    if (current === '') return undefined;
    current = current.slice(0, current.lastIndexOf('/'));
  }
}

function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1))
    starts.push(index + 1);
  return starts;
}

function lineAt(lineStarts: number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((lineStarts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return low + 1;
}
