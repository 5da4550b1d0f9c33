import { runService } from '../shared/http/run-service.js';
import { readProvisionerConfig } from './provisioner-config.js';
import { startProvisioner } from './start-provisioner.js';

await runService('provisioner', () => startProvisioner(readProvisionerConfig()));
