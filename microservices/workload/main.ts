import { runService } from '../../shared/http/run-service.js';
import { startWorkloadService } from './start-workload-service.js';
import { readWorkloadServiceConfig } from './workload-service-config.js';

await runService('workload microservice', () => startWorkloadService(readWorkloadServiceConfig()));
