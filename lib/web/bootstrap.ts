import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { APP_PATHS, HEALTH_CHECK_PATH } from '../shared/names';

/** What an instance needs to know at boot; values may be CloudFormation tokens. */
export interface BootstrapSettings {
  readonly region: string;
  readonly prefix: string;
  readonly port: number;
  readonly modelRegistryParameter: string;
  readonly databaseSecretArn: string;
  readonly adminSecretArn: string;
  readonly dataBucketName: string;
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

/** Where the bootstrap writes the app's settings (read by the systemd unit). */
export const APP_ENV_FILE = '/etc/movierecs/app.env';

/**
 * Instance bootstrap. It writes the app's settings (names and ARNs only: secrets are read at
 * run time from Secrets Manager), starts the site under systemd, waits until the site answers
 * its health check on the instance itself, and only then tells CloudFormation the instance is
 * ready (`cfn-signal`). Any failure on the way, including a site that never answers, is signalled
 * as a failure with its reason, so an update stops at once and the old instances keep serving.
 *
 * Until the web app lands, the site is a placeholder page served by the AMI's python3, so the load
 * balancer's health check and the stack outputs can be tried end to end.
 */
export function bootstrapUserData(settings: BootstrapSettings): ec2.UserData {
  const env: Record<string, string> = {
    AWS_REGION: settings.region,
    MOVIERECS_PREFIX: settings.prefix,
    PORT: String(settings.port),
    MODEL_REGISTRY_PARAMETER: settings.modelRegistryParameter,
    DATABASE_SECRET_ARN: settings.databaseSecretArn,
    ADMIN_SECRET_ARN: settings.adminSecretArn,
    DATA_BUCKET: settings.dataBucketName,
  };
  const { signal } = settings;
  if (!Number.isInteger(signal.healthWaitSeconds) || signal.healthWaitSeconds < 30) {
    throw new Error(`healthWaitSeconds must be a whole number of at least 30, got ${signal.healthWaitSeconds}`);
  }
  const healthUrl = `http://127.0.0.1:${settings.port}${HEALTH_CHECK_PATH}`;
  const userData = ec2.UserData.forLinux();
  userData.addCommands(
    'set -euo pipefail',
    // cfn-signal comes from the CloudFormation helper scripts, which are not assumed to be on the
    // image (see DESIGN.md, instance facts). Installed first so every later failure can be
    // signalled. Permission: CloudFormation accepts a signal without credentials from an instance
    // of the stack (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-signal.html),
    // and in case the helper signs with the instance role, aws-cdk-lib's AutoScalingGroup, given
    // `signals`, grants that role cloudformation:SignalResource on this stack's id only.
    'dnf install -y aws-cfn-bootstrap',
    'CFN_SIGNAL="$(command -v cfn-signal || echo /opt/aws/bin/cfn-signal)"',
    'movierecs_signal() {',
    `  "$CFN_SIGNAL" --stack '${signal.stackName}' --resource '${signal.resourceLogicalId}' --region '${settings.region}' \\`,
    '    --exit-code "$1" --reason "$2" || echo "movierecs: cfn-signal failed" >&2',
    '}',
    'movierecs_on_exit() {',
    '  local status=$?',
    '  if [ "$status" -ne 0 ]; then',
    '    movierecs_signal "$status" "MovieRecs bootstrap failed (exit $status) before the site was healthy; see /var/log/cloud-init-output.log"',
    '  fi',
    '}',
    'trap movierecs_on_exit EXIT',
    'install -d -m 0755 /etc/movierecs /opt/movierecs/site' + APP_PATHS.recommend.replace(/\/$/, ''),
    `cat > ${APP_ENV_FILE} <<'MOVIERECS_ENV'`,
    ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
    'MOVIERECS_ENV',
    `echo ok > /opt/movierecs/site${HEALTH_CHECK_PATH}`,
    `cat > /opt/movierecs/site${APP_PATHS.recommend}index.html <<'MOVIERECS_HTML'`,
    '<!doctype html><title>MovieRecs Workshop</title>',
    '<h1>MovieRecs Workshop</h1><p>The infrastructure is up. The movie app is installed by a later release of the kit.</p>',
    'MOVIERECS_HTML',
    "cat > /etc/systemd/system/movierecs.service <<'MOVIERECS_UNIT'",
    '[Unit]',
    'Description=MovieRecs Workshop site',
    'After=network-online.target',
    'Wants=network-online.target',
    '[Service]',
    `EnvironmentFile=${APP_ENV_FILE}`,
    'DynamicUser=yes',
    'ExecStart=/usr/bin/python3 -m http.server ${PORT} --directory /opt/movierecs/site',
    'Restart=always',
    '[Install]',
    'WantedBy=multi-user.target',
    'MOVIERECS_UNIT',
    'systemctl daemon-reload',
    'systemctl enable --now movierecs.service',
    // The instance is ready when the site itself says so, the same check the load balancer makes.
    `movierecs_deadline=$((SECONDS + ${signal.healthWaitSeconds}))`,
    `until curl --fail --silent --output /dev/null --max-time 5 '${healthUrl}'; do`,
    '  if [ "$SECONDS" -ge "$movierecs_deadline" ]; then',
    '    trap - EXIT',
    `    movierecs_signal 1 "MovieRecs site did not answer ${HEALTH_CHECK_PATH} on port ${settings.port} within ${signal.healthWaitSeconds} s; see journalctl -u movierecs"`,
    '    exit 1',
    '  fi',
    '  sleep 5',
    'done',
    'trap - EXIT',
    `movierecs_signal 0 "MovieRecs site answers ${HEALTH_CHECK_PATH} on port ${settings.port}"`,
  );
  return userData;
}
