import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap } from '../local/bootstrap.js';
import { type LocalStack, startLocalStack } from '../local/local-stack.js';
import { DEFAULT_TOKEN_TABLE, DynamoTokenStore } from '../shared/auth/dynamo-token-store.js';
import { TokenService } from '../shared/auth/token-service.js';
import { createDynamoDocumentClient } from '../shared/aws/clients.js';
import type { DataProductStateDocument, HistoryEntry } from '../shared/state/records.js';
import { StateClient } from '../shared/state/state-client.js';
import { DEFAULT_STATE_TABLES } from '../state-service/store/state-tables.js';
import { freePort } from '../test/support/free-port.js';
import { ServiceProcess } from './process.js';

export interface ClusterTimings {
  /** Lease of each provisioner (DMP_LEASE_MS). */
  leaseMs: number;
  /** A transit resource without a heartbeat this long is dispatched again. */
  staleHeartbeatMs: number;
  heartbeatMs: number;
}

export const DATA_PRODUCT = { environment: 'test', domain: 'sales', name: 'faulty', version: '1.0.0' };

/**
 * dmp as an operator runs it: the local stack, then the state service, the
 * `fault` microservice and one or two provisioners, each in its own process
 * on a port of its own that it keeps across restarts.
 */
export class FaultCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'dmp-faults-'));
  stack?: LocalStack;
  stateService!: ServiceProcess;
  microservice!: ServiceProcess;
  provisioners: ServiceProcess[] = [];
  provisionerUrls: string[] = [];
  microserviceUrl = '';
  /** The fault microservice's control port: releases held work without credentials. */
  controlUrl = '';
  adminToken = '';
  provisionerToken = '';
  state!: StateClient;
  /** While this file exists, the microservice dies right after its next transit write. */
  readonly dieOnceFile = join(this.dir, 'die-once');

  constructor(private readonly timings: ClusterTimings) {}

  async start(provisionerCount: number): Promise<void> {
    this.stack = await startLocalStack({
      host: '127.0.0.1',
      dynamoDbPort: 0,
      s3Port: 0,
      dataDir: join(this.dir, 'data'),
      buckets: [],
    });
    const endpoints = {
      DMP_DYNAMODB_ENDPOINT: this.stack.dynamoDbEndpoint,
      DMP_S3_ENDPOINT: this.stack.s3Endpoint,
    };
    const tokens = await bootstrap({
      dynamoDbEndpoint: this.stack.dynamoDbEndpoint,
      s3Endpoint: this.stack.s3Endpoint,
      stateTables: DEFAULT_STATE_TABLES,
      tokenTable: DEFAULT_TOKEN_TABLE,
      buckets: [],
      tokenFile: join(this.dir, 'tokens.json'),
    });
    this.adminToken = tokens.admin;
    this.provisionerToken = tokens.provisioner;
    const faultToken = await this.issueFaultToken();

    const statePort = await freePort();
    const stateUrl = `http://127.0.0.1:${statePort}`;
    this.stateService = new ServiceProcess('state service', 'state-service/main.ts', {
      ...endpoints,
      DMP_STATE_SERVICE_PORT: String(statePort),
    });
    await this.stateService.start();
    this.state = new StateClient(stateUrl, { token: tokens.provisioner });

    const microservicePort = await freePort();
    this.controlUrl = `http://127.0.0.1:${await freePort()}`;
    this.microserviceUrl = `http://127.0.0.1:${microservicePort}`;
    this.microservice = new ServiceProcess('fault microservice', 'faults/fault-microservice-main.ts', {
      DMP_STATE_SERVICE_URL: stateUrl,
      DMP_SERVICE_TOKEN: faultToken,
      DMP_HEARTBEAT_MS: String(this.timings.heartbeatMs),
      FAULT_PORT: String(microservicePort),
      FAULT_CONTROL_PORT: new URL(this.controlUrl).port,
      FAULT_DIE_ONCE_FILE: this.dieOnceFile,
    });
    await this.microservice.start();

    const discovery = join(this.dir, 'discovery.json');
    writeFileSync(
      discovery,
      JSON.stringify({ environments: { test: { technologies: { fault: { url: this.microserviceUrl } } } } }),
    );
    for (let index = 0; index < provisionerCount; index += 1) {
      const port = await freePort();
      const provisioner = new ServiceProcess(`provisioner ${index + 1}`, 'provisioner/main.ts', {
        DMP_STATE_SERVICE_URL: stateUrl,
        DMP_PROVISIONER_PORT: String(port),
        DMP_DISCOVERY_CONFIG: discovery,
        DMP_SERVICE_TOKEN: tokens.provisioner,
        DMP_INSTANCE_ID: `provisioner-${index + 1}`,
        DMP_LEASE_MS: String(this.timings.leaseMs),
        DMP_STALE_HEARTBEAT_MS: String(this.timings.staleHeartbeatMs),
        DMP_POLL_MAX_MS: '200',
        DMP_DISPATCH_MAX_BACKOFF_MS: '500',
      });
      await provisioner.start();
      this.provisioners.push(provisioner);
      this.provisionerUrls.push(`http://127.0.0.1:${port}`);
    }
  }

  /** A microservice credential of its own, as an operator issues one for a new technology. */
  private async issueFaultToken(): Promise<string> {
    const dynamo = createDynamoDocumentClient({ dynamoDbEndpoint: this.stack?.dynamoDbEndpoint });
    try {
      const tokens = new TokenService(new DynamoTokenStore(dynamo, DEFAULT_TOKEN_TABLE));
      return (
        await tokens.issue({ name: 'fault', role: 'microservice', domains: ['*'], technologies: ['fault'] })
      ).token;
    } finally {
      dynamo.destroy();
    }
  }

  /** POSTs the one-resource descriptor of the suite through a provisioner; its status. */
  async deploy(provisioner = 0, resources = ['only']): Promise<number> {
    const yaml = [
      `name: ${DATA_PRODUCT.name}`,
      `domain: ${DATA_PRODUCT.domain}`,
      `version: ${DATA_PRODUCT.version}`,
      'environment: { name: test }',
      'outputPorts:',
      ...resources.map(
        (name) => `  - { name: ${name}, type: raw, technology: fault, owner: fault-owner, specific: {} }`,
      ),
    ].join('\n');
    const response = await fetch(`${this.provisionerUrls[provisioner]}/v1/dataproduct`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/yaml' },
      body: yaml,
    });
    const body = await response.text();
    if (process.env.FAULTS_DEBUG) process.stderr.write(`deploy: ${response.status} ${body}\n`);
    return response.status;
  }

  /** The microservice dies right after its next transit write (once). */
  armDieOnce(): void {
    writeFileSync(this.dieOnceFile, '');
  }

  /** Lets held work finish. */
  async release(): Promise<void> {
    const response = await fetch(`${this.controlUrl}/fault/release`, { method: 'POST' });
    await response.arrayBuffer();
  }

  document(): Promise<DataProductStateDocument | undefined> {
    return this.state.getDataProduct(DATA_PRODUCT);
  }

  /** The data product once its history moves past `seen`, or after `waitMs` as it stands (a long-poll). */
  watch(seen: number, waitMs = 5_000): Promise<DataProductStateDocument | undefined> {
    return this.state.getDataProduct(DATA_PRODUCT, { changedAfter: seen, waitMs });
  }

  async history(): Promise<HistoryEntry[]> {
    return (await this.state.history(DATA_PRODUCT, 0, 1000)).entries;
  }

  async close(): Promise<void> {
    if (process.env.FAULTS_DEBUG) {
      for (const service of [this.microservice, this.stateService, ...this.provisioners]) {
        process.stderr.write(`--- ${service?.name}\n${service?.output.slice(-4000)}\n`);
      }
    }
    for (const service of [...this.provisioners, this.microservice, this.stateService]) await service?.stop();
    await this.stack?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
