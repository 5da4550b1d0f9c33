import { ConfigError } from '../config/env-reader.js';
import type { RunningServer } from './serve.js';

/** Entry point of a standalone service: start it, stop cleanly on SIGINT/SIGTERM, exit 1 on bad config. */
export async function runService(name: string, start: () => Promise<RunningServer>): Promise<void> {
  let server: RunningServer;
  try {
    server = await start();
  } catch (error) {
    const message =
      error instanceof ConfigError ? error.message : `${name} failed to start: ${String(error)}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${name} listening on ${server.url}\n`);
  const stop = () => {
    server.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
