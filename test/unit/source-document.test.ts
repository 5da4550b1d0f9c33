import { describe, expect, it } from 'vitest';
import { parseJsonDocument, parseYamlDocument } from '../../shared/descriptor/source-document.js';
import { ValidationError } from '../../shared/errors.js';

function issuesOf(action: () => unknown) {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

describe('parseYamlDocument', () => {
  it('locates values by JSON pointer on 1-based lines', () => {
    const document = parseYamlDocument('name: a\nlist:\n  - x: 1\n    y: [2, 3]\n  - z\n');
    expect(document.value).toEqual({ name: 'a', list: [{ x: 1, y: [2, 3] }, 'z'] });
    expect(document.lineOf('/name')).toBe(1);
    expect(document.lineOf('/list/0/x')).toBe(3);
    expect(document.lineOf('/list/0/y')).toBe(4);
    expect(document.lineOf('/list/1')).toBe(5);
  });

  it('falls back to the nearest located ancestor for a missing key', () => {
    const document = parseYamlDocument('x: 0\na:\n  b: 1\n');
    expect(document.lineOf('/a/missing')).toBe(2);
  });

  it('reports a syntax error with its line and column', () => {
    const [issue] = issuesOf(() => parseYamlDocument('a: [1,\nb: c: d'));
    expect(issue?.line).toBe(2);
    expect(issue?.column).toBeGreaterThan(0);
  });

  it('refuses several documents and empty input', () => {
    expect(issuesOf(() => parseYamlDocument('a: 1\n---\nb: 2'))[0]?.message).toMatch(
      /exactly one YAML document, found 2/,
    );
    expect(issuesOf(() => parseYamlDocument(''))[0]?.message).toMatch(/empty document/);
  });

  it('refuses prototype keys without polluting any prototype', () => {
    const issues = issuesOf(() => parseYamlDocument('a:\n  __proto__: {polluted: true}\n  constructor: x\n'));
    expect(issues.map((issue) => issue.path)).toEqual(['/a/__proto__', '/a/constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stops an alias bomb before anything walks it', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 10; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`);
    }
    // Expanded, these aliases would be 10^10 strings: the parser must refuse them, not try.
    const issues = issuesOf(() => parseYamlDocument(levels.join('\n')));
    expect(issues[0]?.message).toMatch(/alias|expands/);
  });

  it('refuses excessive nesting', () => {
    const issues = issuesOf(() => parseYamlDocument(`a: ${'['.repeat(100)}${']'.repeat(100)}`));
    expect(issues[0]?.message).toMatch(/nest|depth/i);
  });
});

describe('parseJsonDocument', () => {
  it('parses JSON and reports malformed JSON', () => {
    expect(parseJsonDocument('{"a": [1]}').value).toEqual({ a: [1] });
    expect(issuesOf(() => parseJsonDocument('{"a": ')).length).toBe(1);
  });
});
