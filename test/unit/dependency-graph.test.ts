import { describe, expect, it } from 'vitest';
import {
  type DependencyGraph,
  dependentsOf,
  executionWaves,
  findCycles,
  graphOf,
} from '../../shared/descriptor/dependency-graph.js';

/** A graph from `name: [dependencies]`, in the order written. */
function graph(edges: Record<string, string[]>): DependencyGraph {
  return graphOf(Object.entries(edges).map(([name, dependsOn]) => ({ name, dependsOn })));
}

/**
 * A cycle written from its alphabetically first node, so that tests do not
 * depend on where the search happened to enter it.
 */
function canonical(cycle: string[]): string[] {
  const ring = cycle.slice(0, -1);
  const first = ring.indexOf([...ring].sort()[0] as string);
  const rotated = [...ring.slice(first), ...ring.slice(0, first)];
  return [...rotated, rotated[0] as string];
}

/** True when every step of `cycle` is an edge of `dependencies` and it ends where it starts. */
function isCycleOf(dependencies: DependencyGraph, cycle: string[]): boolean {
  if (cycle.length < 2 || cycle[0] !== cycle.at(-1)) return false;
  return cycle.slice(1).every((to, index) => dependencies.get(cycle[index] as string)?.includes(to));
}

describe('graphOf', () => {
  it('maps each resource name to its dependencies', () => {
    const result = graphOf([
      { name: 'a', dependsOn: ['b'] },
      { name: 'b', dependsOn: [] },
    ]);

    expect([...result]).toEqual([
      ['a', ['b']],
      ['b', []],
    ]);
  });
});

describe('findCycles', () => {
  it('finds no cycle in an acyclic graph', () => {
    expect(findCycles(graph({ a: ['b', 'c'], b: ['c'], c: [] }))).toEqual([]);
  });

  it('finds no cycle in an empty graph', () => {
    expect(findCycles(graph({}))).toEqual([]);
  });

  it('names one cycle with its first node repeated at the end', () => {
    const cycles = findCycles(graph({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] }));

    expect(cycles.map(canonical)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('starts a cycle at the node declared first when the search begins there', () => {
    expect(findCycles(graph({ a: ['b'], b: ['c'], c: ['a'] }))).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('finds two disjoint cycles separately', () => {
    const cycles = findCycles(graph({ a: ['b'], b: ['a'], c: ['a', 'd'], d: ['e'], e: ['f'], f: ['d'] }));

    expect(cycles.map(canonical).sort()).toEqual([
      ['a', 'b', 'a'],
      ['d', 'e', 'f', 'd'],
    ]);
  });

  it('names a self-loop as a cycle of one node', () => {
    expect(findCycles(graph({ a: [], b: ['b'], c: ['b'] }))).toEqual([['b', 'b']]);
  });

  it('ignores edges to nodes outside the graph', () => {
    expect(findCycles(graph({ a: ['ghost'], b: ['a', 'ghost'], c: ['missing'] }))).toEqual([]);
  });

  it('still finds a cycle that also has edges to nodes outside the graph', () => {
    const cycles = findCycles(graph({ a: ['ghost', 'b'], b: ['a'] }));

    expect(cycles.map(canonical)).toEqual([['a', 'b', 'a']]);
  });

  it('reports a real cycle for tangled cycles that share nodes', () => {
    const dependencies = graph({ a: ['b', 'c'], b: ['a', 'b'], c: ['a'] });

    const cycles = findCycles(dependencies);

    expect(cycles.length).toBeGreaterThan(0);
    for (const cycle of cycles) expect(isCycleOf(dependencies, cycle)).toBe(true);
  });

  it('returns a shortest cycle through the node where it enters a component', () => {
    // a → b → c → d → a and the shortcut b → a: the short way round is a → b → a.
    const dependencies = graph({ a: ['b'], b: ['c', 'a'], c: ['d'], d: ['a'] });

    expect(findCycles(dependencies)).toEqual([['a', 'b', 'a']]);
  });

  it('follows a chain of 20,000 dependencies without exhausting the call stack', () => {
    // Each node depends on the next one, so a depth-first search goes 20,000 levels deep.
    const count = 20_000;
    const chain: Record<string, string[]> = {};
    for (let index = 0; index < count; index += 1)
      chain[`n${index}`] = index + 1 < count ? [`n${index + 1}`] : [];

    expect(findCycles(graph(chain))).toEqual([]);
    const cycles = findCycles(graph({ ...chain, [`n${count - 1}`]: ['n0'] }));
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(count + 1);
  });
});

describe('executionWaves', () => {
  it('runs a diamond in three waves: the root, the two sides together, then the top', () => {
    const waves = executionWaves(
      graph({ top: ['left', 'right'], left: ['root'], right: ['root'], root: [] }),
    );

    expect(waves).toEqual([['root'], ['left', 'right'], ['top']]);
  });

  it('runs a chain one node per wave, dependencies first', () => {
    expect(executionWaves(graph({ c: ['b'], b: ['a'], a: [] }))).toEqual([['a'], ['b'], ['c']]);
  });

  it('puts independent nodes in the first wave, sorted by name', () => {
    expect(executionWaves(graph({ zeta: [], alpha: [], mid: [] }))).toEqual([['alpha', 'mid', 'zeta']]);
  });

  it('ignores dependencies outside the graph', () => {
    expect(executionWaves(graph({ b: ['a'], a: ['ghost'] }))).toEqual([['a'], ['b']]);
  });

  it('places every node after all of its dependencies', () => {
    const dependencies = graph({ e: ['d', 'a'], d: ['c'], c: ['b', 'a'], b: ['a'], a: [], f: ['a'] });

    const waves = executionWaves(dependencies);

    const waveOf = new Map(waves.flatMap((wave, index) => wave.map((name) => [name, index] as const)));
    expect([...waveOf.keys()].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    for (const [name, dependsOn] of dependencies) {
      for (const dependency of dependsOn) expect(waveOf.get(dependency)).toBeLessThan(waveOf.get(name) ?? -1);
    }
    expect(waves).toEqual([['a'], ['b', 'f'], ['c'], ['d'], ['e']]);
  });

  it('returns no waves for an empty graph', () => {
    expect(executionWaves(graph({}))).toEqual([]);
  });

  it('refuses a cyclic graph, naming the nodes it could not order', () => {
    expect(() => executionWaves(graph({ ok: [], a: ['b', 'ok'], b: ['a'] }))).toThrow(
      'dependency cycle among: a, b',
    );
  });
});

describe('dependentsOf', () => {
  it('lists, for every node, the nodes that depend on it directly', () => {
    const dependents = dependentsOf(
      graph({ top: ['left', 'right'], left: ['root'], right: ['root'], root: [] }),
    );

    expect(Object.fromEntries(dependents)).toEqual({
      top: [],
      left: ['top'],
      right: ['top'],
      root: ['left', 'right'],
    });
  });

  it('does not count indirect dependents', () => {
    const dependents = dependentsOf(graph({ c: ['b'], b: ['a'], a: [] }));

    expect(dependents.get('a')).toEqual(['b']);
  });

  it('ignores dependencies on nodes outside the graph', () => {
    const dependents = dependentsOf(graph({ a: ['ghost'] }));

    expect([...dependents.keys()]).toEqual(['a']);
    expect(dependents.get('a')).toEqual([]);
  });

  it('lists a self-dependent node among its own dependents', () => {
    expect(dependentsOf(graph({ a: ['a'] })).get('a')).toEqual(['a']);
  });
});
