import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type DmpNetwork, SERVICE_PORTS } from './network.js';

export type FargateServiceName = keyof typeof SERVICE_PORTS;

/** What the image runs for each service (one image, the command picks the service). */
export const SERVICE_COMMANDS: Record<FargateServiceName, string[]> = {
  // The image's entry point is `node dist/dmp-service.js`; its command names the service (docs/build.md).
  provisioner: ['provisioner'],
  'state-service': ['state-service'],
  'event-store-data': ['event-store'],
};

/** The variable of each service's port (DMP_HOST is 0.0.0.0 in a container). */
const PORT_VARIABLES: Record<FargateServiceName, string> = {
  provisioner: 'DMP_PROVISIONER_PORT',
  'state-service': 'DMP_STATE_SERVICE_PORT',
  'event-store-data': 'DMP_EVENT_STORE_PORT',
};

export interface DmpFargateServiceProps {
  service: FargateServiceName;
  cluster: ecs.Cluster;
  network: DmpNetwork;
  image: ecs.ContainerImage;
  cpu: number;
  memoryMiB: number;
  desiredCount: number;
  /** The service's own role: what its code may do on AWS. */
  taskRole: iam.Role;
  logGroup: logs.LogGroup;
  environment: Record<string, string>;
  secrets?: Record<string, ecs.Secret>;
}

/**
 * One service of the image on Fargate, behind its own listener of the
 * internal load balancer, checked on /healthz by the load balancer and by
 * ECS. A rolling deployment keeps every running task until its replacement
 * is healthy, and rolls back by itself when the new tasks never become so.
 */
export class DmpFargateService extends Construct {
  readonly service: ecs.FargateService;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly taskDefinition: ecs.FargateTaskDefinition;

  constructor(scope: Construct, id: string, props: DmpFargateServiceProps) {
    super(scope, id);
    const port = SERVICE_PORTS[props.service];
    // Pulls the image, writes the logs, reads the secrets: ECS's role, not the service's.
    const executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `ECS pulls the image and reads the secrets of ${props.service}`,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      taskRole: props.taskRole,
      executionRole,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.taskDefinition.addContainer('app', {
      image: props.image,
      command: SERVICE_COMMANDS[props.service],
      environment: {
        DMP_HOST: '0.0.0.0',
        [PORT_VARIABLES[props.service]]: String(port),
        NODE_ENV: 'production',
        ...props.environment,
      },
      secrets: props.secrets,
      portMappings: [{ containerPort: port }],
      logging: ecs.LogDrivers.awsLogs({ logGroup: props.logGroup, streamPrefix: props.service }),
      readonlyRootFilesystem: true,
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${port}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.desiredCount,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      securityGroups: [props.network.serviceSecurityGroup],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
    });
    const listener = props.network.loadBalancer.addListener(`${id}Listener`, {
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
    });
    this.targetGroup = listener.addTargets(`${id}Targets`, {
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service],
      healthCheck: {
        path: '/healthz',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      // Long polls (`?wait=`) end within the services' own limits; a draining task finishes them.
      deregistrationDelay: Duration.seconds(60),
    });
  }
}
