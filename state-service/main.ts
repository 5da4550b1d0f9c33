import { runService } from '../shared/http/run-service.js';
import { startStateService } from './start-state-service.js';
import { readStateServiceConfig } from './state-service-config.js';

await runService('state-service', () => startStateService(readStateServiceConfig()));
