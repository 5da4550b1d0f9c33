import type { RunningServer } from '../../shared/http/serve.js';
import { createLogger, type Logger } from '../../shared/logging/logger.js';
import { optionsFromConfig, startResourceService } from '../../shared/microservice/start-resource-service.js';
import { createS3Provisioner } from './s3-service.js';
import type { S3ServiceConfig } from './s3-service-config.js';

export async function startS3Service(
  config: S3ServiceConfig,
  logger: Logger = createLogger('s3'),
): Promise<RunningServer> {
  return startResourceService({
    service: 's3',
    provisioner: await createS3Provisioner(config),
    logger,
    ...optionsFromConfig(config),
  });
}
