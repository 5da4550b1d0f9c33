import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3ServiceConfig } from '../../microservices/s3/s3-service-config.js';
import { startS3Service } from '../../microservices/s3/start-s3-service.js';
import { DEFAULT_GOVERNANCE_POLICY, type ProvisionerConfig } from '../../provisioner/provisioner-config.js';
import { startProvisioner } from '../../provisioner/start-provisioner.js';
import type { AuthConfig } from '../../shared/auth/auth-config.js';
import { DEFAULT_TOKEN_TABLE } from '../../shared/auth/dynamo-token-store.js';
import type { JwtOptions } from '../../shared/auth/verifiers.js';
import type { RunningServer } from '../../shared/http/serve.js';
import type { Logger } from '../../shared/logging/logger.js';
import { startResourceService } from '../../shared/microservice/start-resource-service.js';
import { StateClient } from '../../shared/state/state-client.js';
import { DEFAULT_STORAGE_OWNER_TABLE } from '../../shared/storage/storage-config.js';
import { DEFAULT_STORAGE_PLACEMENT, type StoragePlacement } from '../../shared/storage/storage-placement.js';
import { startStateService } from '../../state-service/start-state-service.js';
import { DEFAULT_STATE_TABLES } from '../../state-service/store/state-tables.js';
import { authed, issueTestTokens, type TestTokens } from './auth.js';
import { freePort } from './free-port.js';
import { GatedProvisioner } from './gated-provisioner.js';
import { removeDir, startTestStack, type TestStack } from './local-stack.js';
import { silentLogger } from './silent-logger.js';

export interface TestPlatform {
  stack: TestStack;
  /** The in-process provisioner; absent when the test runs provisioners as child processes. */
  provisioner: RunningServer;
  discoveryConfigPath: string;
  stateService: RunningServer;
  s3Service: RunningServer;
  gated: GatedProvisioner;
  tokens: TestTokens;
  /** The in-process provisioner's API, as the admin. */
  api: ReturnType<typeof authed>;
  state: StateClient;
  /** Discovery URL of technology `dead`: nothing listens there until a test starts something. */
  deadPort: number;
  s3Config(port: number): S3ServiceConfig;
  close(): Promise<void>;
}

/**
 * Every service on free ports over real HTTP, on dynalite and s3rver, with the
 * real S3 microservice and a `gated` test technology run by the real kit.
 */
export async function startTestPlatform({
  deadPort,
  provisioner: overrides = {},
  withProvisioner = true,
  logger = silentLogger,
  jwt,
  storagePlacement = DEFAULT_STORAGE_PLACEMENT,
}: {
  deadPort: number;
  /** Where the S3 microservice places folders (default: the domain's space). */
  storagePlacement?: StoragePlacement;
  provisioner?: Partial<ProvisionerConfig>;
  withProvisioner?: boolean;
  /** Where every service logs (default: nowhere). */
  logger?: Logger;
  /** Turns JWT mode on in the state service and the provisioner. */
  jwt?: JwtOptions;
}): Promise<TestPlatform> {
  const stack = await startTestStack();
  const servers: RunningServer[] = [];
  const auth = (serviceToken?: string): AuthConfig => ({
    tokenCacheMs: 1_000,
    ...(serviceToken ? { serviceToken } : {}),
    ...(jwt ? { jwt } : {}),
  });
  const stateService = await startStateService(
    {
      host: '127.0.0.1',
      port: 0,
      dynamoDbEndpoint: stack.dynamoDbEndpoint,
      tables: DEFAULT_STATE_TABLES,
      createTables: true,
      tokenTable: DEFAULT_TOKEN_TABLE,
      auth: auth(),
    },
    logger,
  );
  const tokens = await issueTestTokens(stack);
  servers.push(stateService);
  const s3Config = (port: number): S3ServiceConfig => ({
    host: '127.0.0.1',
    port,
    stateServiceUrl: stateService.url,
    s3Endpoint: stack.s3Endpoint,
    iamMode: 'local',
    dynamoDbEndpoint: stack.dynamoDbEndpoint,
    localIamTable: 'dmp-local-iam-role-policies',
    storage: { placement: storagePlacement, ownerTable: DEFAULT_STORAGE_OWNER_TABLE },
    heartbeatMs: 200,
    auth: auth(tokens.s3Service),
  });
  const s3Service = await startS3Service(s3Config(0), logger);
  servers.push(s3Service);
  // `brief` is the same test technology with a transit timeout of one second.
  const gated = new GatedProvisioner(['gated', 'brief']);
  const gatedService = await startResourceService({
    service: 'gated',
    provisioner: gated,
    stateServiceUrl: stateService.url,
    host: '127.0.0.1',
    port: 0,
    logger,
    heartbeatMs: 200,
    serviceToken: tokens.gatedService,
  });
  servers.push(gatedService);

  const discoveryDir = mkdtempSync(join(tmpdir(), 'dmp-discovery-'));
  const discoveryConfigPath = join(discoveryDir, 'discovery.yaml');
  const technologies = {
    s3cdp: { url: s3Service.url },
    s3: { url: s3Service.url },
    gated: { url: gatedService.url },
    brief: { url: gatedService.url, timeoutSeconds: 1 },
    dead: { url: `http://127.0.0.1:${deadPort}` },
    // Never listened on, with a short transit timeout: a resource that waits for it fails soon.
    unreachable: { url: `http://127.0.0.1:${await freePort()}`, timeoutSeconds: 1 },
  };
  writeFileSync(discoveryConfigPath, JSON.stringify({ environments: { test: { technologies } } }));

  const provisioner = withProvisioner
    ? await startProvisioner(
        {
          host: '127.0.0.1',
          port: 0,
          stateServiceUrl: stateService.url,
          discoveryConfigPath,
          pollInitialDelayMs: 20,
          pollMaxDelayMs: 200,
          resourceTimeoutMs: 60_000,
          dispatchRetries: 1,
          bodyLimitBytes: 1024 * 1024,
          instanceId: 'test-provisioner',
          leaseMs: 5_000,
          staleHeartbeatMs: 5_000,
          sweepIntervalMs: 1_000,
          auth: auth(tokens.provisioner),
          governancePolicyPath: DEFAULT_GOVERNANCE_POLICY,
          ...overrides,
        },
        { logger },
      )
    : { url: 'http://127.0.0.1:9', port: 9, close: async () => undefined };
  servers.push(provisioner);

  return {
    stack,
    provisioner,
    discoveryConfigPath,
    stateService,
    s3Service,
    gated,
    tokens,
    api: authed(provisioner.url, tokens.admin),
    state: new StateClient(stateService.url, { token: tokens.provisioner }),
    deadPort,
    s3Config,
    close: async () => {
      gated.release();
      for (const server of servers.reverse()) await server.close();
      await stack.close();
      removeDir(stack.dataDir);
      removeDir(discoveryDir);
    },
  };
}
