import type { DataProductRef, ResourceDescriptor } from '../../shared/descriptor/types.js';
import { ValidationError, type ValidationIssue } from '../../shared/errors.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import type {
  ResourceInfo,
  TechnologyProvisioner,
} from '../../shared/microservice/technology-provisioner.js';
import {
  artifactPlacementProblem,
  DEFAULT_STORAGE_PLACEMENT,
  type StoragePlacement,
} from '../../shared/storage/storage-placement.js';
import { deployFunction, removeOwnedFunction } from '../lambda-runtime/function-deployment.js';
import type { FunctionHost, FunctionSpec } from '../lambda-runtime/function-host.js';
import { legacyDefaultFunctionName, ownedFunctionName, ownerOf } from '../lambda-runtime/lambda-naming.js';
import { workloadEnvironment } from './workload-environment.js';
import { parseWorkloadSpecific, type WorkloadSpecific } from './workload-specific.js';

export interface WorkloadProvisionerOptions {
  /** First part of every workload function's name. */
  functionPrefix: string;
  /** Which artifact keys a data product may run: its own root's, or the platform's. */
  placement: StoragePlacement;
}

/** Lambda lets a description be at most this long. */
const MAX_DESCRIPTION = 256;

/**
 * A workload (issue 4 §3): one function deployed from an artifact, whose
 * environment carries the info of every resource it depends on, so a job
 * finds the folder it reads without anyone copying a URI by hand. Its name
 * is derived from the owning resource (`ownedFunctionName`), its artifact
 * comes from the data product's own space or the platform's.
 */
export class WorkloadProvisioner implements TechnologyProvisioner {
  readonly technologies = ['aws-lambda'] as const;
  /** A new name, artifact or limit converges in place (the old function is deleted after the new one runs). */
  readonly immutableSpecific = [] as const;

  constructor(
    private readonly functions: FunctionHost,
    private readonly options: WorkloadProvisionerOptions = {
      functionPrefix: 'dmp-wl',
      placement: DEFAULT_STORAGE_PLACEMENT,
    },
  ) {}

  validate(request: ResourceRequest): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    if (request.resource.kind !== 'workload') {
      issues.push({
        path: '/resource/kind',
        message: `this microservice deploys workloads, not ${request.resource.kind} resources`,
      });
    }
    const { value, issues: specificIssues } = this.parse(request);
    issues.push(...specificIssues);
    if (value) issues.push(...this.environmentOf(request, value).issues);
    return issues;
  }

  create(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<ResourceInfo> {
    return this.converge(request, previous);
  }

  update(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<ResourceInfo> {
    return this.converge(request, previous);
  }

  async remove(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<void> {
    const owner = ownerOf(request.dataProduct, request.resource.name);
    const versions = [request.resource, ...(previous ? [previous] : [])];
    const names = new Set(versions.flatMap((resource) => this.namesOf(request.dataProduct, resource)));
    for (const name of names) await removeOwnedFunction(this.functions, name, owner);
  }

  private async converge(request: ResourceRequest, previous: ResourceDescriptor | null) {
    const { value: specific, issues: specificIssues } = this.parse(request);
    if (!specific) throw new ValidationError(specificIssues.map(describeIssue).join('; '), specificIssues);
    const { environment, issues } = this.environmentOf(request, specific);
    if (issues.length > 0) throw new ValidationError(issues.map(describeIssue).join('; '), issues);
    const owner = ownerOf(request.dataProduct, request.resource.name);
    const spec: FunctionSpec = {
      name: this.functionNameOf(request.dataProduct, request.resource),
      artifact: { bucket: specific.bucket, key: specific.artifact },
      handler: specific.handler,
      environment,
      owner,
      description: request.resource.description?.slice(0, MAX_DESCRIPTION),
      timeoutSeconds: specific.timeoutSeconds,
      memoryMb: specific.memoryMb,
    };
    const { description } = await deployFunction(this.functions, spec);
    // Renamed: the new function runs before the old one goes, so a failure leaves one working.
    const before = previous ? this.namesOf(request.dataProduct, previous) : [];
    for (const name of new Set(before)) {
      if (name !== spec.name) await removeOwnedFunction(this.functions, name, owner);
    }
    return {
      functionName: description.name,
      functionArn: description.arn,
      variables: Object.keys(environment).sort(),
    };
  }

  private parse(request: ResourceRequest) {
    return parseWorkloadSpecific(request.resource.specific, this.functions.artifactExtensions, (key) =>
      artifactPlacementProblem(this.options.placement, request.dataProduct, key),
    );
  }

  private environmentOf(request: ResourceRequest, specific: WorkloadSpecific) {
    return workloadEnvironment({
      dataProduct: request.dataProduct,
      resourceName: request.resource.name,
      dependsOn: request.resource.dependsOn,
      dependencies: request.dependencies,
      user: specific.environment,
    });
  }

  /** The function a version of the resource deploys; read leniently, for descriptors applied earlier. */
  private functionNameOf(ref: DataProductRef, resource: ResourceDescriptor): string {
    return ownedFunctionName(this.options.functionPrefix, ref, resource.name, lambdaNameOf(resource));
  }

  /**
   * Every name a version of the resource may have deployed under: today's, and
   * the one chosen before names were derived (its raw `lambdaName`, or the old
   * default). Only functions whose `dmp:owner` tag is this resource's are ever deleted.
   */
  private namesOf(ref: DataProductRef, resource: ResourceDescriptor): string[] {
    const lambdaName = lambdaNameOf(resource);
    return [
      this.functionNameOf(ref, resource),
      lambdaName ?? legacyDefaultFunctionName(this.options.functionPrefix, ref, resource.name),
    ];
  }
}

function lambdaNameOf(resource: ResourceDescriptor): string | undefined {
  const named = resource.specific.lambdaName;
  return typeof named === 'string' && named !== '' ? named : undefined;
}

function describeIssue(issue: ValidationIssue): string {
  return `${issue.path}: ${issue.message}`;
}
