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
}

/** Where the bootstrap writes the app's settings (read by the systemd unit). */
export const APP_ENV_FILE = '/etc/movierecs/app.env';

/**
 * Instance bootstrap. It writes the app's settings (names and ARNs only: secrets are read at
 * run time from Secrets Manager) and starts the site under systemd.
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
  const userData = ec2.UserData.forLinux();
  userData.addCommands(
    'set -euo pipefail',
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
  );
  return userData;
}
