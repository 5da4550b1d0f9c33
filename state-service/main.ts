import { runService } from '../shared/http/run-service.js';
import { readStateServiceConfig } from './state-service-config.js';
import { startStateService } from './start-state-service.js';

await runService('state-service', () => startStateService(readStateServiceConfig()));
