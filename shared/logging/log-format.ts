import { EnvReader } from '../config/env-reader.js';

/** JSON lines for machines, one readable line per entry for people. */
export type LogFormat = 'json' | 'pretty';

const SETTINGS = ['auto', 'json', 'pretty'] as const;

/**
 * DMP_LOG_FORMAT: `pretty` or `json` force a format; `auto` (the default)
 * means pretty when stdout is a terminal (`npm start` in a shell) and JSON
 * everywhere else (CI, containers, a file, a pipe), where a machine reads it.
 * A bad value stops the process with a ConfigError naming the variable.
 */
export function chooseLogFormat(env: NodeJS.ProcessEnv, stdoutIsTerminal: boolean): LogFormat {
  const reader = new EnvReader(env);
  const setting = reader.oneOf('DMP_LOG_FORMAT', SETTINGS, 'auto');
  reader.assertValid();
  if (setting !== 'auto') return setting;
  return stdoutIsTerminal ? 'pretty' : 'json';
}
