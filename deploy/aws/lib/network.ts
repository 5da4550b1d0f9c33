import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import type { DmpStackSettings } from './settings.js';

/** The port each service listens on, in its container and on the load balancer. */
export const SERVICE_PORTS = {
  provisioner: 8080,
  'state-service': 8081,
  'event-store-data': 8092,
} as const;

/**
 * The VPC (private subnets with a NAT for the AWS APIs; free gateway
 * endpoints for S3 and DynamoDB), the internal load balancer in front of the
 * Fargate services, and the security groups between them.
 */
export class DmpNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** Fargate tasks: reachable from the load balancer only. */
  readonly serviceSecurityGroup: ec2.SecurityGroup;
  /** Lambda functions in the VPC: no inbound traffic at all. */
  readonly functionSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, settings: DmpStackSettings) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(settings.vpc.cidr),
      maxAzs: settings.vpc.maxAzs,
      natGateways: settings.vpc.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
      restrictDefaultSecurityGroup: false,
    });
    const balancerGroup = new ec2.SecurityGroup(this, 'LoadBalancerGroup', {
      vpc: this.vpc,
      description: 'dmp internal load balancer: the VPC and the allowed networks',
      allowAllOutbound: false,
    });
    for (const port of Object.values(SERVICE_PORTS)) {
      balancerGroup.addIngressRule(ec2.Peer.ipv4(settings.vpc.cidr), ec2.Port.tcp(port), 'the VPC');
      for (const cidr of settings.allowedCidrs) {
        balancerGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), 'an allowed network');
      }
    }
    this.serviceSecurityGroup = new ec2.SecurityGroup(this, 'Services', {
      vpc: this.vpc,
      description: 'dmp Fargate services: from the load balancer only',
      allowAllOutbound: true,
    });
    for (const port of Object.values(SERVICE_PORTS)) {
      this.serviceSecurityGroup.addIngressRule(balancerGroup, ec2.Port.tcp(port), 'the load balancer');
      balancerGroup.addEgressRule(this.serviceSecurityGroup, ec2.Port.tcp(port), 'the services');
    }
    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'Functions', {
      vpc: this.vpc,
      description: 'dmp Lambda functions: outbound only',
      allowAllOutbound: true,
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing: false,
      securityGroup: balancerGroup,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      dropInvalidHeaderFields: true,
    });
  }

  /** The URL other services and the CLI use for a service behind the load balancer. */
  urlOf(service: keyof typeof SERVICE_PORTS): string {
    return `http://${this.loadBalancer.loadBalancerDnsName}:${SERVICE_PORTS[service]}`;
  }
}
