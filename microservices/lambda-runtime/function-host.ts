/**
 * A place that runs functions built from an artifact in a bucket: AWS Lambda,
 * or the local runtime. Every operation is idempotent where its name says so,
 * so a re-dispatched resource converges instead of failing.
 */

/** Where a function's code lives: an object of a bucket (`.zip`, or a single `.js` file locally). */
export interface ArtifactLocation {
  bucket: string;
  key: string;
}

export interface FunctionSpec {
  /** The function name, `[A-Za-z0-9-_]{1,64}`. */
  name: string;
  artifact: ArtifactLocation;
  /** `path/to/module.export`, as Lambda spells it. */
  handler: string;
  environment: Record<string, string>;
  /** The dmp resource that owns the function (stored as the tag `dmp:owner`); nobody else's function is changed. */
  owner: string;
  description?: string;
  /** Per-invocation limit (default 30 s). */
  timeoutSeconds?: number;
  /** Memory, and locally the invocation process's heap limit (default 128 MB). */
  memoryMb?: number;
  /** Execution role ARN; unset: the host's default (AWS), ignored locally. */
  role?: string;
}

export interface FunctionDescription {
  name: string;
  arn: string;
  /** The `dmp:owner` tag; undefined for a function dmp did not create. */
  owner?: string;
  handler: string;
  environment: Record<string, string>;
}

/** Who may invoke a function (Lambda resource policy statement). */
export interface InvokeGrant {
  statementId: string;
  principal: string;
  sourceArn: string;
}

export type InvocationErrorKind = 'handler' | 'timeout' | 'runtime';

/** The outcome of one synchronous invocation: the handler's (JSON) result, or why there is none. */
export type Invocation =
  | { ok: true; payload: unknown }
  | { ok: false; error: { kind: InvocationErrorKind; type: string; message: string } };

export interface FunctionHost {
  /** Artifact file extensions this host can deploy (AWS Lambda takes only `.zip` packages from S3). */
  readonly artifactExtensions: readonly string[];
  describe(name: string): Promise<FunctionDescription | undefined>;
  create(spec: FunctionSpec): Promise<FunctionDescription>;
  /** Handler, environment, limits and role of an existing function; the code stays. */
  updateConfiguration(spec: FunctionSpec): Promise<FunctionDescription>;
  /** Redeploys the code from the spec's artifact. */
  updateCode(spec: FunctionSpec): Promise<FunctionDescription>;
  /** Deletes the function; false when there was none. With `owner`, a function another resource owns is refused (ConflictError). */
  delete(name: string, owner?: string): Promise<boolean>;
  invoke(name: string, event: unknown): Promise<Invocation>;
  /** Adds a resource-policy statement; an existing statement of the same id is kept. */
  allowInvoke(name: string, grant: InvokeGrant): Promise<void>;
  /** Removes a statement; absent statements and functions are fine. */
  revokeInvoke(name: string, statementId: string): Promise<void>;
  close(): Promise<void>;
}
