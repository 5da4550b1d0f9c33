// A gated microservice in its own process, so that a test can SIGKILL it mid-work.
// GATED_TECHNOLOGY names its technology; GATED_HOLD=1 holds every work item forever.
import { startResourceService } from '../../shared/microservice/start-resource-service.js';
import { GatedProvisioner } from './gated-provisioner.js';
import { silentLogger } from './silent-logger.js';

const provisioner = new GatedProvisioner([process.env.GATED_TECHNOLOGY ?? 'gated']);
if (process.env.GATED_HOLD === '1') provisioner.close();
const server = await startResourceService({
  service: 'gated-child',
  provisioner,
  stateServiceUrl: process.env.DMP_STATE_SERVICE_URL ?? '',
  host: '127.0.0.1',
  port: Number(process.env.GATED_PORT ?? 0),
  logger: silentLogger,
  heartbeatMs: Number(process.env.DMP_HEARTBEAT_MS ?? 200),
  serviceToken: process.env.DMP_SERVICE_TOKEN,
});
process.stdout.write(`listening ${server.url}\n`);
