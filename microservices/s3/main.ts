import { runService } from '../../shared/http/run-service.js';
import { readS3ServiceConfig } from './s3-service-config.js';
import { startS3Service } from './start-s3-service.js';

await runService('s3 microservice', () => startS3Service(readS3ServiceConfig()));
