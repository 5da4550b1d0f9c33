import { readFileSync } from 'node:fs';

export interface DockerInstruction {
  keyword: string;
  /** `--from=build`, `--interval=15s`, … by name. */
  flags: Record<string, string>;
  /** The exec form's array, or the shell form's words. */
  args: string[];
}

export interface DockerStage {
  image: string;
  name?: string;
  instructions: DockerInstruction[];
}

/**
 * Enough of the Dockerfile syntax for this project's Dockerfile: comments,
 * line continuations, flags, and the exec (JSON) and shell forms.
 */
export function parseDockerfile(path: string): DockerStage[] {
  const logical = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replaceAll(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const stages: DockerStage[] = [];
  for (const line of logical) {
    const instruction = parseInstruction(line);
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args;
      stages.push({
        image: image as string,
        ...(as?.toUpperCase() === 'AS' ? { name } : {}),
        instructions: [],
      });
    } else stages.at(-1)?.instructions.push(instruction);
  }
  return stages;
}

function parseInstruction(line: string): DockerInstruction {
  const [keyword = '', ...words] = line.split(/\s+/);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--')) {
    const [name, value = ''] = (words.shift() as string).slice(2).split('=', 2) as [string, string?];
    flags[name] = value;
  }
  const rest = words.join(' ');
  const upper = keyword.toUpperCase();
  if (upper === 'HEALTHCHECK' && words[0] === 'CMD') {
    const command = rest.slice('CMD'.length).trim();
    return {
      keyword: upper,
      flags,
      args: ['CMD', ...(command.startsWith('[') ? JSON.parse(command) : [command])],
    };
  }
  return { keyword: upper, flags, args: rest.startsWith('[') ? JSON.parse(rest) : words };
}

export function instructionsOf(stage: DockerStage, keyword: string): DockerInstruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** The `ENV` of a stage, `KEY=value` pairs merged in order. */
export function envOf(stage: DockerStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of instructionsOf(stage, 'ENV')) {
    for (const pair of args) {
      const [name, value = ''] = pair.split('=', 2) as [string, string?];
      env[name] = value;
    }
  }
  return env;
}

/**
 * Whether `.dockerignore` lets a path of the build context through: the last
 * matching rule decides (`!` re-includes); a rule matches the path itself and
 * everything under it; `**` matches everything.
 */
export function passesDockerignore(rules: readonly string[], path: string): boolean {
  let included = true;
  for (const rule of rules) {
    const negated = rule.startsWith('!');
    const pattern = (negated ? rule.slice(1) : rule).replace(/\/$/, '');
    const matches = pattern === '**' || path === pattern || path.startsWith(`${pattern}/`);
    if (matches) included = negated;
  }
  return included;
}

export function readDockerignore(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}
