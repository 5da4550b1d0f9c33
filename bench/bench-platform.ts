import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { type LocalStack, startLocalStack } from '../local/local-stack.js';
import { readProvisionerConfig } from '../provisioner/provisioner-config.js';
import { startProvisioner } from '../provisioner/start-provisioner.js';
import { bootstrapTokens, type TokenSpec } from '../shared/auth/bootstrap-tokens.js';
import { DynamoTokenStore } from '../shared/auth/dynamo-token-store.js';
import { TokenService } from '../shared/auth/token-service.js';
import { createDynamoDocumentClient } from '../shared/aws/clients.js';
import { HttpObservability } from '../shared/http/observability.js';
import { type RunningServer, serve } from '../shared/http/serve.js';
import { createLogger } from '../shared/logging/logger.js';
import { startResourceService } from '../shared/microservice/start-resource-service.js';
import { createStateServiceApp } from '../state-service/http/state-service-app.js';
import { readStateServiceConfig } from '../state-service/state-service-config.js';
import { StateUseCases } from '../state-service/state-use-cases.js';
import { DynamoStateStore } from '../state-service/store/dynamo-state-store.js';
import { DEFAULT_STATE_TABLES, ensureStateTables } from '../state-service/store/state-tables.js';
import { RequestCounter } from './request-counter.js';
import { startSeparateStack } from './separate-stack.js';
import { SLEEPY_TECHNOLOGY, SleepyTechnology } from './sleepy-technology.js';

/** dmp as configured by default, or the thesis' naive flow: one resource at a time, a state check every second. */
export type BenchMode = 'dmp' | 'baseline';

export const BENCH_ENVIRONMENT = 'bench';

/** What each mode changes in the provisioner's configuration: documented options, nothing else. */
export const MODE_ENV: Record<BenchMode, Record<string, string>> = {
  dmp: {},
  baseline: { DMP_MAX_PARALLEL_DISPATCH: '1', DMP_POLL_INITIAL_MS: '1000', DMP_POLL_MAX_MS: '1000' },
};

export interface BenchPlatform {
  mode: BenchMode;
  provisionerUrl: string;
  /** The bench's own (admin) token: its requests are counted apart from the platform's. */
  token: string;
  technology: SleepyTechnology;
  counter: RequestCounter;
  stack: LocalStack;
  close(): Promise<void>;
}

const TOKENS: Record<'bench' | 'provisioner' | 'microservice', TokenSpec> = {
  bench: { name: 'bench', role: 'admin', domains: ['*'] },
  provisioner: { name: 'provisioner', role: 'provisioner', domains: ['*'] },
  microservice: { name: 'sleepy', role: 'microservice', domains: ['*'], technologies: [SLEEPY_TECHNOLOGY] },
};

/**
 * The real platform in this process on free ports: dynalite and s3rver, the
 * state service (behind a request counter), the synthetic technology run by
 * the real microservice kit, and the provisioner with the mode's settings.
 */
export async function startBenchPlatform(
  mode: BenchMode,
  workMs: number,
  separateStack = process.env.DMP_BENCH_SEPARATE_STACK === 'true',
): Promise<BenchPlatform> {
  const logger = createLogger('bench', 'silent');
  const dataDir = mkdtempSync(join(tmpdir(), 'dmp-bench-'));
  const stack = separateStack
    ? await startSeparateStack(dataDir)
    : await startLocalStack({ host: '127.0.0.1', dynamoDbPort: 0, s3Port: 0, dataDir, buckets: [] });
  const servers: RunningServer[] = [];
  const close = async () => {
    for (const server of servers.reverse()) await server.close();
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const documentClient = createDynamoDocumentClient({ dynamoDbEndpoint: stack.dynamoDbEndpoint });
    await ensureStateTables(documentClient, DEFAULT_STATE_TABLES);
    // The state service as `npm start` configures it (DMP_STATE_* variables apply), in front of this stack.
    const stateConfig = readStateServiceConfig(process.env);
    const tokenService = new TokenService(
      await DynamoTokenStore.create(documentClient),
      undefined,
      stateConfig.verifiedTokenTtlMs,
    );
    const tokens = await bootstrapTokens(tokenService, TOKENS);
    const counter = new RequestCounter();
    counter.identify(tokens.bench, 'bench');
    counter.identify(tokens.provisioner, 'provisioner');
    counter.identify(tokens.microservice, 'microservice');

    const stateApp = createStateServiceApp({
      useCases: new StateUseCases(new DynamoStateStore(documentClient, DEFAULT_STATE_TABLES)),
      tokens: tokenService,
      verifier: tokenService,
      observability: new HttpObservability('state-service', logger),
      logger,
    });
    const counted = express();
    counted.use(counter.middleware(), stateApp);
    const stateService = await serve(counted, 0);
    servers.push(stateService);

    const technology = new SleepyTechnology(workMs);
    const microservice = await startResourceService({
      service: SLEEPY_TECHNOLOGY,
      provisioner: technology,
      stateServiceUrl: stateService.url,
      host: '127.0.0.1',
      port: 0,
      logger,
      serviceToken: tokens.microservice,
    });
    servers.push(microservice);

    const discoveryPath = join(dataDir, 'discovery.json');
    const discovery = {
      environments: {
        [BENCH_ENVIRONMENT]: { technologies: { [SLEEPY_TECHNOLOGY]: { url: microservice.url } } },
      },
    };
    writeFileSync(discoveryPath, JSON.stringify(discovery));
    const config = readProvisionerConfig({
      DMP_PROVISIONER_PORT: '0',
      DMP_STATE_SERVICE_URL: stateService.url,
      DMP_DISCOVERY_CONFIG: discoveryPath,
      DMP_SERVICE_TOKEN: tokens.provisioner,
      DMP_INSTANCE_ID: `bench-${mode}`,
      ...MODE_ENV[mode],
    });
    const provisioner = await startProvisioner(config, { logger });
    servers.push(provisioner);
    return { mode, provisionerUrl: provisioner.url, token: tokens.bench, technology, counter, stack, close };
  } catch (error) {
    await close();
    throw error;
  }
}
