import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '../../shared/aws/aws-errors.js';
import { describeError, NotFoundError, ValidationError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging/logger.js';
import {
  ArtifactError,
  DEFAULT_PACKAGE_LIMITS,
  handlerModuleFile,
  type PackageLimits,
  unpackArtifact,
} from './artifact-package.js';
import { ensurePackageMarker, prepareCodeRoot, writeCodeFolder } from './code-folder.js';
import type {
  ArtifactLocation,
  FunctionDescription,
  FunctionHost,
  FunctionSpec,
  Invocation,
  InvokeGrant,
} from './function-host.js';
import { assertOwnedBy } from './function-ownership.js';
import { hideHostPaths } from './hide-host-paths.js';
import { assertCanReach, type InvocationUser, invocationUserOf } from './invocation-user.js';
import { functionNameProblem, type HandlerName, handlerProblem, parseHandler } from './lambda-naming.js';
import {
  DEFAULT_LOCAL_FUNCTION_TABLE,
  type LocalFunctionRecord,
  LocalFunctionRegistry,
} from './local-function-registry.js';
import { invokeInProcess } from './process-invocation.js';

export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_REGION = 'local';
const DEFAULT_TIMEOUT_SECONDS = 30;
const DEFAULT_MEMORY_MB = 128;
const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs'];

export interface LocalFunctionHostOptions {
  registry: LocalFunctionRegistry;
  /** Where artifacts are read from (the local s3rver). */
  s3: S3Client;
  /** Code folder: `<codeDir>/<function>/<codeSha>/`. */
  codeDir: string;
  logger: Logger;
  /** Invocations running at once; more are refused with TooManyRequestsException, as Lambda throttles (default 8). */
  maxConcurrentInvocations?: number;
  packageLimits?: PackageLimits;
  /**
   * Who runs the functions' code when the platform runs as root (default
   * 65534:65534, "nobody"); ignored otherwise, as only root may start a
   * process as another user.
   */
  runAs?: InvocationUser;
}

export interface CreateLocalFunctionHostOptions extends Omit<LocalFunctionHostOptions, 'registry'> {
  dynamo: DynamoDBDocumentClient;
  functionTable?: string;
}

/**
 * FunctionHost that really runs the code on this machine: the artifact is read
 * from the bucket, unpacked into the code folder and recorded in the registry
 * table; each invocation runs the handler in a process of its own, which may
 * read its code folder and nothing else (see process-invocation.ts and
 * docs/local-lambda-runtime.md).
 */
export class LocalFunctionHost implements FunctionHost {
  readonly artifactExtensions = ['.zip', ...MODULE_EXTENSIONS] as const;
  private readonly running = new Set<() => Promise<void>>();
  private active = 0;
  private readonly codeDir: string;
  private readonly user: InvocationUser | undefined;

  /** `codeDir` must exist and be reachable by the invocation user: `create` sees to both. */
  constructor(private readonly options: LocalFunctionHostOptions) {
    this.codeDir = resolve(options.codeDir);
    this.user = invocationUserOf(options.runAs);
  }

  static async create(options: CreateLocalFunctionHostOptions): Promise<LocalFunctionHost> {
    const registry = await LocalFunctionRegistry.create(
      options.dynamo,
      options.functionTable ?? DEFAULT_LOCAL_FUNCTION_TABLE,
    );
    const codeDir = await prepareCodeRoot(options.codeDir);
    const user = invocationUserOf(options.runAs);
    if (user) await assertCanReach(codeDir, user);
    return new LocalFunctionHost({ ...options, registry, codeDir });
  }

  async describe(name: string): Promise<FunctionDescription | undefined> {
    if (functionNameProblem(name)) return undefined;
    const record = await this.options.registry.get(name);
    return record && describeRecord(record);
  }

  async create(spec: FunctionSpec): Promise<FunctionDescription> {
    const handler = assertSpec(spec);
    const existing = await this.options.registry.get(spec.name);
    if (existing) {
      assertOwnedBy(describeRecord(existing), spec.owner);
      return describeRecord(existing);
    }
    const codeSha = await this.deployCode(spec.name, spec.artifact, handler, spec.handler);
    const record: LocalFunctionRecord = {
      ...configurationOf(spec),
      name: spec.name,
      arn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${spec.name}`,
      owner: spec.owner,
      artifact: { ...spec.artifact },
      codeSha,
      permissions: {},
      updatedAt: new Date().toISOString(),
    };
    if (await this.options.registry.insert(record)) return describeRecord(record);
    // Created concurrently: converge on it if it is ours.
    const concurrent = await this.options.registry.get(spec.name);
    if (!concurrent) throw new NotFoundError(`function ${spec.name} was created and deleted meanwhile`);
    assertOwnedBy(describeRecord(concurrent), spec.owner);
    return describeRecord(concurrent);
  }

  async updateConfiguration(spec: FunctionSpec): Promise<FunctionDescription> {
    const handler = assertSpec(spec);
    const record = await this.requireOwned(spec);
    const codeFolder = this.codeFolder(record);
    if (existsSync(codeFolder) && !moduleFileIn(codeFolder, handler)) {
      throw new ArtifactError(
        `${record.artifact.key} has no ${handler.module}.js, .mjs or .cjs for handler ${spec.handler}`,
      );
    }
    const updated = { ...record, ...configurationOf(spec), updatedAt: new Date().toISOString() };
    await this.options.registry.replace(updated);
    return describeRecord(updated);
  }

  /** The new code must hold the module of the spec's handler, which the configuration update that follows sets. */
  async updateCode(spec: FunctionSpec): Promise<FunctionDescription> {
    const handler = assertSpec(spec);
    const record = await this.requireOwned(spec);
    const codeSha = await this.deployCode(spec.name, spec.artifact, handler, spec.handler);
    const updated = {
      ...record,
      artifact: { ...spec.artifact },
      codeSha,
      updatedAt: new Date().toISOString(),
    };
    await this.options.registry.replace(updated);
    if (codeSha !== record.codeSha) {
      await this.onCodeFolders(() => rm(this.codeFolder(record), { recursive: true, force: true }));
    }
    return describeRecord(updated);
  }

  /** With `owner`, a function of another owner is refused instead of deleted. */
  async delete(name: string, owner?: string): Promise<boolean> {
    if (functionNameProblem(name)) return false;
    if (owner !== undefined) {
      const existing = await this.options.registry.get(name);
      if (!existing) return false;
      assertOwnedBy(describeRecord(existing), owner);
    }
    const removed = await this.options.registry.remove(name);
    await this.onCodeFolders(() => rm(join(this.codeDir, name), { recursive: true, force: true }));
    return removed !== undefined;
  }

  async invoke(name: string, event: unknown): Promise<Invocation> {
    const record = functionNameProblem(name) ? undefined : await this.options.registry.get(name);
    if (!record) throw new NotFoundError(`function ${name} does not exist`, { functionName: name });
    const max = this.options.maxConcurrentInvocations ?? 8;
    if (this.active >= max) {
      return {
        ok: false,
        error: {
          kind: 'runtime',
          type: 'TooManyRequestsException',
          message: `${max} invocations are running already; try again`,
        },
      };
    }
    // The slot is taken before the first await, so that concurrent calls cannot all pass the check.
    this.active += 1;
    try {
      return await this.run(record, event);
    } finally {
      this.active -= 1;
    }
  }

  private async run(record: LocalFunctionRecord, event: unknown): Promise<Invocation> {
    const handler = parseHandler(record.handler) as HandlerName;
    const codeFolder = await this.ensureCode(record, handler);
    const file = moduleFileIn(codeFolder, handler);
    if (!file) {
      return {
        ok: false,
        error: {
          kind: 'runtime',
          type: 'Runtime.ImportModuleError',
          message: `Cannot find module '${handler.module}'`,
        },
      };
    }
    return invokeInProcess(
      {
        functionName: record.name,
        functionArn: record.arn,
        codeFolder,
        codeRoot: this.codeDir,
        file,
        exportName: handler.exportName,
        event,
        environment: record.environment,
        timeoutMs: record.timeoutSeconds * 1000,
        memoryMb: record.memoryMb,
        ...(this.user ? { user: this.user } : {}),
      },
      this.options.logger,
      (stop) => {
        this.running.add(stop);
        return () => this.running.delete(stop);
      },
    );
  }

  async allowInvoke(name: string, grant: InvokeGrant): Promise<void> {
    const found = await this.options.registry.setPermission(name, grant.statementId, {
      principal: grant.principal,
      sourceArn: grant.sourceArn,
    });
    if (!found) throw new NotFoundError(`function ${name} does not exist`, { functionName: name });
  }

  async revokeInvoke(name: string, statementId: string): Promise<void> {
    await this.options.registry.removePermission(name, statementId);
  }

  /** Ends every running invocation (each answers Runtime.Shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.running].map((stop) => stop()));
  }

  private async requireOwned(spec: FunctionSpec): Promise<LocalFunctionRecord> {
    const record = await this.options.registry.get(spec.name);
    if (!record) throw new NotFoundError(`function ${spec.name} does not exist`, { functionName: spec.name });
    assertOwnedBy(describeRecord(record), spec.owner);
    return record;
  }

  private codeFolder(record: Pick<LocalFunctionRecord, 'name' | 'codeSha'>): string {
    return join(this.codeDir, record.name, record.codeSha);
  }

  /** Reads, checks and unpacks the artifact into its content-addressed folder; returns the content's sha256. */
  private async deployCode(
    name: string,
    artifact: ArtifactLocation,
    handler: HandlerName,
    handlerText: string,
  ): Promise<string> {
    const bytes = await this.readArtifact(artifact);
    const files = unpackArtifact(artifact.key, bytes, this.options.packageLimits ?? DEFAULT_PACKAGE_LIMITS);
    if (!handlerModuleFile(files, handler)) {
      throw new ArtifactError(
        `${artifact.key} has no ${handler.module}.js, .mjs or .cjs for handler ${handlerText}`,
      );
    }
    const codeSha = sha256(bytes);
    await this.onCodeFolders(() => writeCodeFolder(this.codeFolder({ name, codeSha }), files));
    return codeSha;
  }

  /**
   * The function's code folder, unpacked again from its artifact when this
   * machine does not have it (another data folder, a cleaned disk), provided
   * the artifact is still the one that was deployed.
   */
  private async ensureCode(record: LocalFunctionRecord, handler: HandlerName): Promise<string> {
    const folder = this.codeFolder(record);
    if (existsSync(folder)) {
      await this.onCodeFolders(() => ensurePackageMarker(folder));
      return folder;
    }
    const bytes = await this.readArtifact(record.artifact);
    if (sha256(bytes) !== record.codeSha) {
      throw new ArtifactError(
        `the code of ${record.name} is not on this machine and s3://${record.artifact.bucket}/${record.artifact.key} changed since it was deployed: update the function's code`,
      );
    }
    const files = unpackArtifact(
      record.artifact.key,
      bytes,
      this.options.packageLimits ?? DEFAULT_PACKAGE_LIMITS,
    );
    if (!handlerModuleFile(files, handler))
      throw new ArtifactError(`${record.artifact.key} has no module for ${record.handler}`);
    await this.onCodeFolders(() => writeCodeFolder(folder, files));
    return folder;
  }

  /**
   * Runs a file operation on the code folders. Its error ends up in a
   * resource's lastError, which callers read: the paths in it are made
   * relative to the code root.
   */
  private async onCodeFolders<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      const message = hideHostPaths(describeError(error), this.codeDir, this.codeDir);
      throw new Error(`the local code folder could not be changed: ${message}`, { cause: error });
    }
  }

  private async readArtifact(artifact: ArtifactLocation): Promise<Uint8Array> {
    const limit = (this.options.packageLimits ?? DEFAULT_PACKAGE_LIMITS).maxUnpackedBytes;
    try {
      const object = await this.options.s3.send(
        new GetObjectCommand({ Bucket: artifact.bucket, Key: artifact.key }),
      );
      if ((object.ContentLength ?? 0) > limit) {
        throw new ArtifactError(`${artifact.key} is larger than the limit of ${limit} bytes`);
      }
      if (!object.Body) throw new ArtifactError(`${artifact.key} is empty`);
      return await object.Body.transformToByteArray();
    } catch (error) {
      if (isAwsError(error, 'NoSuchKey', 'NoSuchBucket', 'NotFound')) {
        throw new NotFoundError(
          `the artifact s3://${artifact.bucket}/${artifact.key} does not exist`,
          {},
          { cause: error },
        );
      }
      throw error;
    }
  }
}

function assertSpec(spec: FunctionSpec): HandlerName {
  const issues = [
    ['/name', functionNameProblem(spec.name)],
    ['/handler', handlerProblem(spec.handler)],
  ].flatMap(([path, message]) => (message ? [{ path: path as string, message }] : []));
  if (issues.length > 0) throw new ValidationError('The function is invalid', issues);
  return parseHandler(spec.handler) as HandlerName;
}

function configurationOf(spec: FunctionSpec) {
  return {
    handler: spec.handler,
    environment: { ...spec.environment },
    ...(spec.description ? { description: spec.description } : {}),
    timeoutSeconds: Math.min(Math.max(spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS, 1), 900),
    memoryMb: Math.min(Math.max(spec.memoryMb ?? DEFAULT_MEMORY_MB, 16), 10_240),
  };
}

function describeRecord(record: LocalFunctionRecord): FunctionDescription {
  return {
    name: record.name,
    arn: record.arn,
    owner: record.owner,
    handler: record.handler,
    environment: { ...record.environment },
  };
}

function moduleFileIn(folder: string, handler: HandlerName): string | undefined {
  return MODULE_EXTENSIONS.map((extension) => join(folder, `${handler.module}${extension}`)).find((file) =>
    existsSync(file),
  );
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
