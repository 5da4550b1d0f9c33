import { ConfigError, EnvReader } from './shared/config/env-reader.js';
import { isServiceName, SERVICE_ENTRIES } from './shared/service-entries.js';

/**
 * The container image's entry point: `node dist/dmp-service.js SERVICE` runs
 * one service (the image's command picks which), `… healthcheck` asks
 * `GET /healthz` of the service in this container. One port for whichever
 * service runs, `DMP_PORT`, so the image, its health check and a load
 * balancer's target group agree without knowing the service. Only the chosen
 * service's modules are loaded, so the health check starts in a blink.
 */
const USAGE = `usage: node dist/dmp-service.js SERVICE | healthcheck
services: ${Object.keys(SERVICE_ENTRIES).join(', ')}
DMP_PORT sets the service's port when its own variable (e.g. DMP_PROVISIONER_PORT) is unset.`;

const [command, ...rest] = process.argv.slice(2);

async function healthcheck(): Promise<number> {
  const reader = new EnvReader(process.env);
  const port = reader.port('DMP_PORT', 8080);
  try {
    reader.assertValid();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3_000) });
    return response.ok ? 0 : 1;
  } catch {
    return 1;
  }
}

if (command === 'healthcheck' && rest.length === 0) {
  process.exitCode = await healthcheck();
} else if (isServiceName(command) && rest.length === 0) {
  const { entry, portVariable } = SERVICE_ENTRIES[command];
  const port = process.env.DMP_PORT;
  if (port && !process.env[portVariable]) process.env[portVariable] = port;
  await import(`./${entry}`);
} else {
  process.stderr.write(
    `${command === undefined ? 'no service given' : `unknown service "${command}"`}\n${USAGE}\n`,
  );
  process.exitCode = 2;
}
