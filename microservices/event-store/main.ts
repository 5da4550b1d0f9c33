import { runService } from '../../shared/http/run-service.js';
import { readEventStoreServiceConfig } from './event-store-service-config.js';
import { startEventStoreService } from './start-event-store-service.js';

await runService('event-store microservice', () => startEventStoreService(readEventStoreServiceConfig()));
