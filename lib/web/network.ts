import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { manageProviderLogs } from '../data/data-bucket';

export interface NetworkProps {
  /**
   * NAT gateways for the private subnets' outbound traffic (AWS APIs, package repositories).
   * One is enough for a workshop; two survive the loss of an availability zone.
   */
  readonly natGateways: number;
  /**
   * How long VPC flow logs are kept.
   * @default - one week
   */
  readonly flowLogRetention?: logs.RetentionDays;
}

/**
 * The workshop VPC: two availability zones, each with a public subnet (load balancer, NAT), a
 * private subnet with egress (app instances) and an isolated subnet (database). Flow logs go to a
 * log group that is deleted with the stack.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    if (!Number.isInteger(props.natGateways) || props.natGateways < 1 || props.natGateways > 2) {
      throw new Error(`natGateways must be 1 or 2 (one per availability zone at most), got ${props.natGateways}`);
    }
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'App', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
        { name: 'Database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    // `restrictDefaultSecurityGroup` (on through the feature flag in cdk.json) removes the default
    // security group's rules through a singleton Lambda; its logs go to a group deleted with the
    // stack. The Lambda stays: CloudFormation cannot change the default security group's rules.
    if (this.vpc.node.tryFindChild('RestrictDefaultSecurityGroupCustomResource')) {
      manageProviderLogs(this, 'Custom::VpcRestrictDefaultSG');
    }
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
  }
}
