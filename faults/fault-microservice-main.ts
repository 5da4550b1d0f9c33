// The microservice of technology `fault`, run by the fault suite in its own process so it can be killed.
// FAULT_HOLD=1 holds every work item until POST /fault/release on FAULT_CONTROL_PORT (no credentials: it must
// answer while the state service that verifies them is down); FAULT_DIE_ONCE_FILE names a flag file:
// while it exists, the first transit write this process makes is forwarded to the state service and then the
// process kills itself before answering the provisioner (the file is removed first, so the restart lives).
import { existsSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../shared/logging/logger.js';
import { startResourceService } from '../shared/microservice/start-resource-service.js';
import type { TechnologyProvisioner } from '../shared/microservice/technology-provisioner.js';

const stateServiceUrl = new URL(process.env.DMP_STATE_SERVICE_URL ?? 'http://127.0.0.1:8081');
const dieOnceFile = process.env.FAULT_DIE_ONCE_FILE;
let holding = process.env.FAULT_HOLD === '1';
const waiting: (() => void)[] = [];

const provisioner: TechnologyProvisioner = {
  technologies: ['fault'],
  immutableSpecific: [],
  validate: () => [],
  create: async (request) => {
    if (holding) await new Promise<void>((resume) => waiting.push(resume));
    return { pid: process.pid, attempt: request.attempt };
  },
  update: async (request) => ({ pid: process.pid, attempt: request.attempt }),
  remove: async () => undefined,
};

/**
 * Between the kit and the state service: forwards everything, and dies after
 * a transit write when told to. Also the control port of the fault suite.
 */
const proxy = createServer((incoming, outgoing) => {
  if (incoming.url === '/fault/release') {
    holding = false;
    for (const resume of waiting.splice(0)) resume();
    outgoing.writeHead(200, { 'content-type': 'application/json' });
    outgoing.end('{"released":true}');
    return;
  }
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', () => {
    const body = Buffer.concat(chunks);
    const forwarded = httpRequest(
      {
        host: stateServiceUrl.hostname,
        port: stateServiceUrl.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (answer) => {
        const dies =
          dieOnceFile !== undefined &&
          existsSync(dieOnceFile) &&
          incoming.url === '/v1/state/dataproduct/resource' &&
          /"state":"(CREATING|UPDATING|DELETING)"/.test(body.toString());
        if (dies) {
          answer.resume();
          answer.on('end', () => {
            rmSync(dieOnceFile, { force: true });
            process.kill(process.pid, 'SIGKILL');
          });
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => {
      outgoing.writeHead(502);
      outgoing.end();
    });
    forwarded.end(body);
  });
});
await new Promise<void>((resolve) =>
  proxy.listen(Number(process.env.FAULT_CONTROL_PORT ?? 0), '127.0.0.1', resolve),
);

const server = await startResourceService({
  service: 'fault',
  provisioner,
  stateServiceUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
  host: '127.0.0.1',
  port: Number(process.env.FAULT_PORT ?? 0),
  logger: createLogger('fault', process.env.DMP_LOG_LEVEL ?? 'warn'),
  heartbeatMs: Number(process.env.DMP_HEARTBEAT_MS ?? 200),
  serviceToken: process.env.DMP_SERVICE_TOKEN,
});
process.stdout.write(`fault microservice listening on ${server.url}\n`);
