import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../policy-checks';

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  /** e.g. `db.t4g.micro` is `ec2.InstanceType.of(T4G, MICRO)`. */
  readonly instanceType: ec2.InstanceType;
  readonly engineVersion: rds.PostgresEngineVersion;
  /**
   * Keep a final snapshot of the database when the stack is deleted (or the instance replaced).
   * The instance itself, its secret, subnets and VPC are all deleted, so `cdk destroy` completes.
   * @default false - the database is deleted with the stack, leaving no final snapshot
   */
  readonly keepFinalSnapshot?: boolean;
  /**
   * Storage size.
   * @default 20 GiB (the smallest gp3 volume; MovieLens 25M's ratings fit in it)
   */
  readonly allocatedStorageGiB?: number;
}

/** The port the database listens on; the app's security group is the only one allowed in. */
export const DATABASE_PORT = 5432;
/** The database the app uses. */
export const DATABASE_NAME = 'movierecs';

/**
 * The web app's PostgreSQL: in isolated subnets, encrypted, reachable only from security groups
 * that are explicitly allowed, with its master credentials generated into Secrets Manager.
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly securityGroup: ec2.SecurityGroup;
  /** The generated credentials (JSON: username, password, host, port, dbname). */
  readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const keepFinalSnapshot = props.keepFinalSnapshot ?? false;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Workshop database: PostgreSQL from the app instances only',
      allowAllOutbound: false,
    });

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: props.engineVersion }),
      instanceType: props.instanceType,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      port: DATABASE_PORT,
      databaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromGeneratedSecret('movierecs'),
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: props.allocatedStorageGiB ?? 20,
      multiAz: false,
      publiclyAccessible: false,
      iamAuthentication: true,
      autoMinorVersionUpgrade: true,
      backupRetention: Duration.days(1),
      // Automated backups go with the instance either way: the final snapshot (a manual snapshot,
      // which RDS never deletes by itself) is what is kept.
      deleteAutomatedBackups: true,
      // Never on: deletion protection makes DeleteDBInstance fail, so `cdk destroy` would stop at
      // the database and leave the VPC behind. The final snapshot is the safety net instead.
      deletionProtection: false,
      // DeletionPolicy/UpdateReplacePolicy "Snapshot": CloudFormation deletes the instance after
      // RDS has taken a final snapshot, which outlives the stack. A retained instance ("Retain")
      // would keep its DB subnet group's subnets, and with them the VPC, so destroy failed.
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
      removalPolicy: keepFinalSnapshot ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    });
    // `instance.secret` is the secret's attachment to the instance (its ARN is the secret's); the
    // generated secret itself is the instance's child. It is deleted with the stack in both cases:
    // the snapshot keeps the master user name, and whoever restores it sets a new master password
    // (`aws rds modify-db-instance --master-user-password ...` or `--manage-master-user-password`),
    // which needs no old secret. A kept secret would point to a host that no longer exists and
    // bill every month with nothing in the kit that ever reads it again.
    const attachment = this.instance.secret;
    const generated = this.instance.node.tryFindChild('Secret') as secretsmanager.Secret | undefined;
    if (!attachment || !generated) throw new Error('The database instance was created without its generated secret');
    generated.applyRemovalPolicy(RemovalPolicy.DESTROY);
    this.secret = attachment;

    acknowledge(
      this.instance,
      'AwsSolutions-RDS3',
      'Single-AZ: the workshop database holds only data reloadable from the data bucket, and a standby would double its cost for a session of a few hours.',
    );
    acknowledge(
      this.instance,
      'AwsSolutions-RDS11',
      'The default port is kept: the security group admits only the app instances, so a non-standard port would hide nothing.',
    );
    acknowledge(
      this.instance,
      'AwsSolutions-RDS10',
      keepFinalSnapshot
        ? 'Deletion protection is off so that cdk destroy removes the instance and its VPC; retainDatabase keeps a final snapshot instead.'
        : 'Deletion protection is off so that cdk destroy removes the database; set retainDatabase to keep a final snapshot.',
    );
    acknowledge(
      generated,
      'AwsSolutions-SMG4',
      'The master password lives as long as the workshop (hours to days); rotating it would need a rotation Lambda inside the VPC and app reconnects for no gain in that span.',
    );
  }

  /** Lets `peer` connect to the database port (adds the rules on both security groups). */
  allowConnectionsFrom(peer: ec2.IConnectable): void {
    this.securityGroup.connections.allowFrom(peer, ec2.Port.tcp(DATABASE_PORT), 'PostgreSQL from the app instances');
  }
}
