import { describe, expect, it } from 'vitest';
import { closestWord } from '../../shared/descriptor/closest-word.js';

const RESOURCE_KEYS = [
  'name',
  'type',
  'resourceType',
  'technology',
  'description',
  'dependsOn',
  'specific',
  'owner',
  'allow',
];
const ROOT_KEYS = ['name', 'domain', 'version', 'environment', 'outputPorts', 'outputports', 'workloads'];

describe('closestWord', () => {
  it.each([
    ['ownr', 'owner'],
    ['dependson', 'dependsOn'],
    ['depends_on', 'dependsOn'],
    ['technolgy', 'technology'],
    ['tecnology', 'technology'],
    ['descripton', 'description'],
    ['specifc', 'specific'],
    ['alow', 'allow'],
    ['nmae', 'name'],
    ['resource_type', 'resourceType'],
  ])('suggests %j for the typo %j', (typo, expected) => {
    expect(closestWord(typo, RESOURCE_KEYS)).toBe(expected);
  });

  it('ignores case, and returns the candidate as the candidates spell it', () => {
    expect(closestWord('DEPENDSON', RESOURCE_KEYS)).toBe('dependsOn');
    expect(closestWord('Owner', RESOURCE_KEYS)).toBe('owner');
  });

  it('returns an exact match', () => {
    expect(closestWord('domain', ROOT_KEYS)).toBe('domain');
  });

  it('prefers the nearest candidate over a farther one', () => {
    expect(closestWord('workload', ROOT_KEYS)).toBe('workloads');
    expect(closestWord('versions', ROOT_KEYS)).toBe('version');
  });

  it('breaks a tie in favour of the candidate listed first', () => {
    expect(closestWord('outputport', ROOT_KEYS)).toBe('outputPorts');
    expect(closestWord('outputport', [...ROOT_KEYS].reverse())).toBe('outputports');
  });

  it.each(['colour', 'xyz', 'completelyunrelated', 'bucket', 'region'])(
    'suggests nothing for the unrelated word %j',
    (word) => {
      expect(closestWord(word, RESOURCE_KEYS)).toBeUndefined();
    },
  );

  it('tolerates two edits for a short word but not three', () => {
    expect(closestWord('ab', ['abcd'])).toBe('abcd');
    expect(closestWord('ab', ['abcde'])).toBeUndefined();
  });

  it('tolerates a third of the length of a long word', () => {
    // 12 letters: up to 4 edits.
    expect(closestWord('abcdefghijkl', ['abcdefghWXYZ'])).toBe('abcdefghWXYZ');
    expect(closestWord('abcdefghijkl', ['abcdefgVWXYZ'])).toBeUndefined();
  });

  it('measures insertions, deletions and substitutions as one edit each', () => {
    expect(closestWord('abc', ['xabcx'])).toBe('xabcx');
    expect(closestWord('abcxy', ['abc'])).toBe('abc');
    expect(closestWord('axc', ['abc', 'zzzz'])).toBe('abc');
    expect(closestWord('abc', ['xxabcxx'])).toBeUndefined();
  });

  it('suggests nothing when there are no candidates', () => {
    expect(closestWord('name', [])).toBeUndefined();
  });
});
