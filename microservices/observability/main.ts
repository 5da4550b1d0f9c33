import { runService } from '../../shared/http/run-service.js';
import { readObservabilityServiceConfig } from './observability-service-config.js';
import { startObservabilityService } from './start-observability-service.js';

await runService('observability microservice', () =>
  startObservabilityService(readObservabilityServiceConfig()),
);
