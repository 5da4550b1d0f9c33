/** Pure graph logic over `dependsOn`: cycles, dependents and execution waves. */

export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

export function graphOf(
  resources: readonly { name: string; dependsOn: readonly string[] }[],
): DependencyGraph {
  return new Map(resources.map((resource) => [resource.name, resource.dependsOn]));
}

/**
 * Every dependency cycle, each as the list of names along it (first name
 * repeated at the end), found with Tarjan's strongly connected components.
 */
export function findCycles(graph: DependencyGraph): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;

  // Depth-first search with an explicit stack of frames: a descriptor's chain of
  // dependencies may be thousands long before its size is rejected.
  const work: { node: string; next: number }[] = [];
  const enter = (node: string): void => {
    index.set(node, counter);
    lowLink.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    work.push({ node, next: 0 });
  };

  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    enter(root);
    for (let frame = work.at(-1); frame !== undefined; frame = work.at(-1)) {
      const { node } = frame;
      const dependencies = graph.get(node) ?? [];
      if (frame.next < dependencies.length) {
        const next = dependencies[frame.next] as string;
        frame.next += 1;
        if (!graph.has(next)) continue;
        if (!index.has(next)) enter(next);
        else if (onStack.has(next)) {
          lowLink.set(node, Math.min(lowLink.get(node) ?? 0, index.get(next) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent !== undefined) {
        lowLink.set(parent.node, Math.min(lowLink.get(parent.node) ?? 0, lowLink.get(node) ?? 0));
      }
      if (lowLink.get(node) !== index.get(node)) continue;
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = component.length === 1 && dependencies.includes(node);
      if (component.length > 1 || selfLoop) cycles.push(cycleThrough(graph, new Set(component), node));
    }
  }
  return cycles;
}

/** A concrete cycle inside a strongly connected component, starting and ending at `start`. */
function cycleThrough(graph: DependencyGraph, component: ReadonlySet<string>, start: string): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const next of graph.get(node) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = previous.get(at)) {
          path.splice(1, 0, at);
        }
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** For each name, the names that depend on it directly. */
export function dependentsOf(graph: DependencyGraph): Map<string, string[]> {
  const dependents = new Map<string, string[]>([...graph.keys()].map((name) => [name, []]));
  for (const [name, dependencies] of graph) {
    for (const dependency of dependencies) dependents.get(dependency)?.push(name);
  }
  return dependents;
}

/**
 * Groups an acyclic graph into waves: every member of a wave depends only on
 * members of earlier waves. Dependencies outside the graph are ignored.
 */
export function executionWaves(graph: DependencyGraph): string[][] {
  const remaining = new Set(graph.keys());
  const done = new Set<string>();
  const waves: string[][] = [];
  while (remaining.size > 0) {
    const wave = [...remaining].filter((name) =>
      (graph.get(name) ?? []).every((dependency) => done.has(dependency) || !graph.has(dependency)),
    );
    if (wave.length === 0) throw new Error(`dependency cycle among: ${[...remaining].join(', ')}`);
    for (const name of wave) {
      remaining.delete(name);
      done.add(name);
    }
    waves.push(wave.sort());
  }
  return waves;
}
