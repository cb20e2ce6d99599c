import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { heapMegabytes } from '../shared/instance-memory';
import { HEALTH_CHECK_PATH } from '../shared/names';

/** What an instance needs to know at boot; values may be CloudFormation tokens. */
export interface BootstrapSettings {
  readonly region: string;
  readonly prefix: string;
  readonly port: number;
  readonly modelRegistryParameter: string;
  readonly databaseSecretArn: string;
  readonly adminSecretArn: string;
  /** The key that signs admin cookies and CSRF tokens, shared by every instance. */
  readonly sessionSecretArn: string;
  readonly dataBucketName: string;
  /** The prepared data's manifest.json in the data bucket (the Data stack's `ManifestKey`). */
  readonly dataManifestKey: string;
  /** The app bundle (a zip holding `entryFile`), a CDK asset. */
  readonly bundle: { readonly bucket: string; readonly key: string; readonly entryFile: string };
  /**
   * The site is served over HTTPS (the load balancer's HTTPS listener): the app then marks its
   * cookies Secure and sends Strict-Transport-Security.
   */
  readonly https?: boolean;
  /** Where the app's log and the bootstrap's output go in CloudWatch Logs. */
  readonly logGroupName: string;
  /**
   * The instance's memory, when known: Node's heap may then use three quarters of it. Node's own
   * default is about a quarter, and training the local models on ml-25m needs more (measured: it
   * aborts with a 2 GB heap and peaks at 3.7 GB).
   */
  readonly instanceMemoryGiB?: number;
  /** Where the instance reports its readiness to CloudFormation. */
  readonly signal: BootstrapSignal;
}

/** The CloudFormation resource (the Auto Scaling group) that waits for each instance's signal. */
export interface BootstrapSignal {
  readonly stackName: string;
  /** The logical id of the Auto Scaling group in its template (may be a token). */
  readonly resourceLogicalId: string;
  /**
   * How long the instance waits for the site to answer the health check before it signals
   * failure. Keep it below the group's signal timeout so that CloudFormation gets the reason
   * rather than a timeout.
   */
  readonly healthWaitSeconds: number;
}

/** Where things live on an instance. */
export const INSTANCE_PATHS = {
  /** The app's settings, read by the systemd unit: names and ARNs only. */
  envFile: '/etc/movierecs/app.env',
  /** The RDS certificate authorities, to check the database server's certificate. */
  databaseCa: '/etc/movierecs/rds-ca.pem',
  cloudWatchAgentConfig: '/etc/movierecs/cloudwatch-agent.json',
  appDir: '/opt/movierecs/app',
  appLog: '/var/log/movierecs/app.log',
  /** AL2023's namespaced Node.js 22 (`dnf install nodejs22`): an update of another Node never changes ours. */
  node: '/usr/bin/node-22',
} as const;

/** The service user the app runs as (no login, no home). */
export const SERVICE_USER = 'movierecs';
export const APP_UNIT = 'movierecs.service';
export const LOG_UNIT = 'movierecs-log.service';

/**
 * The RDS certificate bundle for every commercial region, published by AWS:
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html ("Download
 * certificate bundles"). RDS for PostgreSQL 15 and later sets `rds.force_ssl` to 1, so the app always
 * connects with TLS and checks the server against this bundle.
 */
export const RDS_CA_BUNDLE_URL = 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem';

/** The app's environment file (instance.ts parses and checks it by these names). */
export function appEnvironment(settings: BootstrapSettings): Record<string, string> {
  return {
    AWS_REGION: settings.region,
    MOVIERECS_PREFIX: settings.prefix,
    PORT: String(settings.port),
    MODEL_REGISTRY_PARAMETER: settings.modelRegistryParameter,
    DATABASE_SECRET_ARN: settings.databaseSecretArn,
    ADMIN_SECRET_ARN: settings.adminSecretArn,
    SESSION_SECRET_ARN: settings.sessionSecretArn,
    DATA_BUCKET: settings.dataBucketName,
    DATA_MANIFEST_KEY: settings.dataManifestKey,
    DATABASE_CA_FILE: INSTANCE_PATHS.databaseCa,
    ...(settings.https ? { SITE_HTTPS: 'true' } : {}),
  };
}

/**
 * The app under systemd: the service user, restarted on failure, and sandboxed (systemd.exec(5)):
 * nothing on disk is writable, no privilege gain, no devices, no kernel tunables. Not set:
 * MemoryDenyWriteExecute (V8 compiles code at run time) and a system call filter (not tried on a
 * real instance; see the README's verified list). Output goes to the journal.
 */
export function appServiceUnit(entryFile: string, instanceMemoryGiB?: number): string {
  const heap = instanceMemoryGiB === undefined ? '' : ` --max-old-space-size=${heapMegabytes(instanceMemoryGiB)}`;
  return [
    '[Unit]',
    'Description=MovieRecs Workshop site',
    'After=network-online.target',
    'Wants=network-online.target',
    // Five failed starts within five minutes (a broken bundle, a wrong setting) leave the unit
    // failed instead of restarting forever, so the bootstrap can report it at once.
    'StartLimitIntervalSec=300',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=simple',
    `User=${SERVICE_USER}`,
    `Group=${SERVICE_USER}`,
    `EnvironmentFile=${INSTANCE_PATHS.envFile}`,
    `WorkingDirectory=${INSTANCE_PATHS.appDir}`,
    `ExecStart=${INSTANCE_PATHS.node} --enable-source-maps${heap} ${INSTANCE_PATHS.appDir}/${entryFile} instance`,
    'Restart=on-failure',
    'RestartSec=5',
    'TimeoutStopSec=30',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
    'CapabilityBoundingSet=',
    'UMask=0077',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * Copies the app's journal to the file the CloudWatch agent sends. The agent reads files, not the
 * journal (aws/amazon-cloudwatch-agent#382; journald input only arrived in 2026 and is not assumed
 * here). The cursor file makes a restart continue where it stopped.
 */
export function logForwarderUnit(): string {
  return [
    '[Unit]',
    'Description=MovieRecs Workshop site log, from the journal to the file the CloudWatch agent sends',
    `After=${APP_UNIT}`,
    '',
    '[Service]',
    'Type=simple',
    'StateDirectory=movierecs-log',
    `ExecStart=/usr/bin/journalctl --unit=${APP_UNIT} --boot --lines=all --follow --output=short-iso --cursor-file=/var/lib/movierecs-log/cursor`,
    `StandardOutput=append:${INSTANCE_PATHS.appLog}`,
    'Restart=always',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** The CloudWatch agent's configuration: the app's log and the bootstrap's output, one stream each per instance. */
export function cloudWatchAgentConfig(logGroupName: string): string {
  const file = (path: string, stream: string) => ({
    file_path: path,
    log_group_name: logGroupName,
    log_stream_name: `{instance_id}/${stream}`,
    timezone: 'UTC',
  });
  return JSON.stringify(
    {
      logs: {
        logs_collected: {
          files: {
            collect_list: [file(INSTANCE_PATHS.appLog, 'app'), file('/var/log/cloud-init-output.log', 'bootstrap')],
          },
        },
      },
    },
    null,
    2,
  );
}

/** Keeps the app's log file small; the CloudWatch agent follows a copy-truncated file. */
const LOGROTATE = [
  `${INSTANCE_PATHS.appLog} {`,
  '  daily',
  '  maxsize 50M',
  '  rotate 3',
  '  compress',
  '  missingok',
  '  notifempty',
  '  copytruncate',
  '}',
  '',
].join('\n');

/** A file written by the user data through a quoted heredoc (no expansion inside). */
function writeFile(path: string, content: string, mode = '0644'): string[] {
  const marker = 'MOVIERECS_EOF';
  if (content.split('\n').includes(marker)) throw new Error(`${path}: content holds the heredoc marker`);
  return [`cat > ${path} <<'${marker}'`, ...content.replace(/\n$/, '').split('\n'), marker, `chmod ${mode} ${path}`];
}

/**
 * Instance bootstrap (user data, run once by cloud-init as root). It installs Node.js 22, the
 * CloudFormation helper scripts and the CloudWatch agent; fetches and unpacks the app bundle;
 * writes the app's settings (names and ARNs only: secrets are read at run time from Secrets
 * Manager); starts the app under systemd as a service user, and its log on to CloudWatch Logs; waits
 * until the site answers its health check on the instance itself, and only then tells CloudFormation
 * the instance is ready (`cfn-signal`). Any failure on the way, from the first package install to a
 * site that never answers, is signalled as a failure (with the AWS CLI while cfn-signal is not yet
 * installed), so an update stops at once and the old instances keep serving; its reason and the
 * app's last log lines go to the bootstrap's output.
 */
export function bootstrapUserData(settings: BootstrapSettings): ec2.UserData {
  const { signal, bundle } = settings;
  if (!Number.isInteger(signal.healthWaitSeconds) || signal.healthWaitSeconds < 30) {
    throw new Error(`healthWaitSeconds must be a whole number of at least 30, got ${signal.healthWaitSeconds}`);
  }
  const healthUrl = `http://127.0.0.1:${settings.port}${HEALTH_CHECK_PATH}`;
  const where = `see log group ${settings.logGroupName}`;
  const userData = ec2.UserData.forLinux();
  userData.addCommands(
    'set -euo pipefail',
    // The failure signal is armed before anything can fail, the first package install included:
    // a failure no one signals waits out the whole readiness timeout with no reason.
    // SignalResource carries no reason (cfn-signal's --reason is for wait condition handles only),
    // so the reason is written to the bootstrap's output: the instance's console output and, once
    // the CloudWatch agent runs, the log group's stream <instance id>/bootstrap.
    'movierecs_instance_id() {',
    '  local token',
    '  token="$(curl --fail --silent --max-time 5 -X PUT -H \'X-aws-ec2-metadata-token-ttl-seconds: 300\' http://169.254.169.254/latest/api/token)" &&',
    '    curl --fail --silent --max-time 5 -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/instance-id',
    '}',
    'movierecs_signal() {',
    '  if [ "$1" -eq 0 ]; then echo "movierecs: $2"; else echo "movierecs: $2" >&2; fi',
    // cfn-signal comes from the CloudFormation helper scripts (aws-cfn-bootstrap), not assumed to be
    // on the image (DESIGN.md, instance facts); it signs with the instance's identity document
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-signal.html).
    '  local cfn_signal',
    '  cfn_signal="$(command -v cfn-signal || echo /opt/aws/bin/cfn-signal)"',
    '  if [ -x "$cfn_signal" ]; then',
    `    "$cfn_signal" --stack '${signal.stackName}' --resource '${signal.resourceLogicalId}' --region '${settings.region}' \\`,
    '      --exit-code "$1" || echo "movierecs: cfn-signal failed" >&2',
    '    return 0',
    '  fi',
    // Before aws-cfn-bootstrap is installed (its install is what failed): the AWS CLI on the AL2023
    // image, signed with the instance role, which aws-cdk-lib's AutoScalingGroup (given `signals`)
    // allows cloudformation:SignalResource on this stack only.
    '  local status=SUCCESS',
    '  [ "$1" -eq 0 ] || status=FAILURE',
    `  aws cloudformation signal-resource --region '${settings.region}' --stack-name '${signal.stackName}' \\`,
    `    --logical-resource-id '${signal.resourceLogicalId}' --unique-id "$(movierecs_instance_id)" --status "$status" \\`,
    '    || echo "movierecs: aws cloudformation signal-resource failed" >&2',
    '}',
    '# The last lines the app wrote, for the reason.',
    'movierecs_last_log() {',
    `  journalctl --unit=${APP_UNIT} --lines=3 --output=cat --no-pager 2>/dev/null | tr '\\n' ' ' | cut -c1-200 || true`,
    '}',
    'movierecs_on_exit() {',
    '  local status=$?',
    '  if [ "$status" -ne 0 ]; then',
    `    movierecs_signal "$status" "MovieRecs bootstrap failed (exit $status) before the site was healthy; ${where}, stream <instance id>/bootstrap"`,
    '  fi',
    '}',
    'trap movierecs_on_exit EXIT',
    'dnf install -y aws-cfn-bootstrap',
    'dnf install -y nodejs22 amazon-cloudwatch-agent unzip logrotate',
    `id -u ${SERVICE_USER} >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent --shell /sbin/nologin ${SERVICE_USER}`,
    `install -d -m 0755 /etc/movierecs /opt/movierecs /var/log/movierecs`,
    // The bundle: unpacked into a fresh folder, readable by the service user, owned by root.
    `aws s3 cp --only-show-errors --region '${settings.region}' 's3://${bundle.bucket}/${bundle.key}' /opt/movierecs/app.zip`,
    `rm -rf ${INSTANCE_PATHS.appDir}`,
    `unzip -q /opt/movierecs/app.zip -d ${INSTANCE_PATHS.appDir}`,
    'rm -f /opt/movierecs/app.zip',
    `chmod -R a+rX ${INSTANCE_PATHS.appDir}`,
    `curl --fail --silent --show-error --retry 3 --output ${INSTANCE_PATHS.databaseCa} '${RDS_CA_BUNDLE_URL}'`,
    `chmod 0644 ${INSTANCE_PATHS.databaseCa}`,
    ...writeFile(
      INSTANCE_PATHS.envFile,
      Object.entries(appEnvironment(settings))
        .map(([key, value]) => `${key}=${value}`)
        .join('\n'),
    ),
    ...writeFile(`/etc/systemd/system/${APP_UNIT}`, appServiceUnit(bundle.entryFile, settings.instanceMemoryGiB)),
    ...writeFile(`/etc/systemd/system/${LOG_UNIT}`, logForwarderUnit()),
    ...writeFile('/etc/logrotate.d/movierecs', LOGROTATE),
    ...writeFile(INSTANCE_PATHS.cloudWatchAgentConfig, cloudWatchAgentConfig(settings.logGroupName)),
    'systemctl daemon-reload',
    `systemctl enable --now ${APP_UNIT} ${LOG_UNIT}`,
    `/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c 'file:${INSTANCE_PATHS.cloudWatchAgentConfig}'`,
    // The instance is ready when the site itself says so, the same check the load balancer makes:
    // the app answers only after it has migrated, loaded the data and trained the local models.
    `movierecs_deadline=$((SECONDS + ${signal.healthWaitSeconds}))`,
    `until curl --fail --silent --output /dev/null --max-time 5 '${healthUrl}'; do`,
    `  if systemctl is-failed --quiet ${APP_UNIT}; then`,
    '    trap - EXIT',
    `    movierecs_signal 1 "MovieRecs site failed to start, five times: $(movierecs_last_log); ${where}"`,
    '    exit 1',
    '  fi',
    '  if [ "$SECONDS" -ge "$movierecs_deadline" ]; then',
    '    trap - EXIT',
    `    movierecs_signal 1 "MovieRecs site did not answer ${HEALTH_CHECK_PATH} on port ${settings.port} within ${signal.healthWaitSeconds} s; last log: $(movierecs_last_log); ${where}"`,
    '    exit 1',
    '  fi',
    '  sleep 5',
    'done',
    'trap - EXIT',
    `movierecs_signal 0 "MovieRecs site answers ${HEALTH_CHECK_PATH} on port ${settings.port}"`,
  );
  return userData;
}
