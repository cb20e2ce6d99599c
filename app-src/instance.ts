/**
 * The web app on an instance: `node app.js` under systemd, with only names in its environment
 * (the bootstrap's /etc/movierecs/app.env). Everything else is read at start: the database
 * credentials and the admin password from Secrets Manager, the prepared data from the data bucket,
 * the models from the registry parameter. Then the same start-up path as `npm start` (start.ts).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { S3LoadSource } from './db/s3-source';
import { SdkCampaignRecipePort } from './recommenders/arn';
import { PersonalizeEventSink } from './recommenders/events';
import { createSsmParameterPort, ModelRegistrySource, ParameterRegistry } from './recommenders/registry';
import { StartSettings, startWebApp, Started } from './start';

/** The environment the bootstrap writes (lib/web/bootstrap.ts), checked by name. */
const environmentSchema = z.object({
  AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be a region such as us-east-1'),
  PORT: z.string().regex(/^\d{1,5}$/, 'must be a port number'),
  MODEL_REGISTRY_PARAMETER: z.string().startsWith('/', 'must be an SSM parameter name starting with /'),
  DATABASE_SECRET_ARN: z.string().startsWith('arn:', 'must be a secret ARN'),
  ADMIN_SECRET_ARN: z.string().startsWith('arn:', 'must be a secret ARN'),
  /** The key that signs admin cookies and CSRF tokens: one per deployment, the same on every instance. */
  SESSION_SECRET_ARN: z.string().startsWith('arn:', 'must be a secret ARN'),
  DATA_BUCKET: z.string().min(3, 'must be the data bucket name'),
  DATA_MANIFEST_KEY: z.string().endsWith('manifest.json', 'must be the key of the prepared manifest.json'),
  /** The RDS certificate bundle; without it the server's certificate is checked against the system's. */
  DATABASE_CA_FILE: z.string().optional(),
  /** Set (to "true") when the load balancer serves HTTPS: Secure cookies and HSTS. */
  SITE_HTTPS: z.literal('true', 'must be true or absent').optional(),
});
export type InstanceEnvironment = z.infer<typeof environmentSchema>;

export function parseInstanceEnvironment(env: NodeJS.ProcessEnv): InstanceEnvironment {
  const result = environmentSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map(
      (i) =>
        `${i.path.join('.')} ${i.message === 'Invalid input: expected string, received undefined' ? 'is not set' : i.message}`,
    );
    throw new Error(`the instance environment is incomplete: ${problems.join('; ')}`);
  }
  return result.data;
}

/** The RDS secret Secrets Manager generated (aws-cdk-lib's `Credentials.fromGeneratedSecret`). */
const databaseSecretSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  host: z.string().min(1),
  port: z.coerce.number().int().positive(),
  dbname: z.string().min(1),
});

export interface InstanceClients {
  readonly secrets: SecretsManagerClient;
  readonly s3: S3Client;
  /** The model registry; by default read from SSM every 30 s. */
  readonly registry?: ModelRegistrySource;
  readonly personalize?: PersonalizeClient;
}

async function secretString(client: SecretsManagerClient, arn: string, what: string): Promise<string> {
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString) throw new Error('the secret has no string value');
    return SecretString;
  } catch (error) {
    throw new Error(`could not read the ${what} (${arn}): ${(error as Error).message}`, { cause: error });
  }
}

/** The start-up settings of an instance, from its environment and AWS. */
export async function instanceSettings(env: InstanceEnvironment, clients: InstanceClients): Promise<StartSettings> {
  const [databaseJson, adminPassword, sessionSecret] = await Promise.all([
    secretString(clients.secrets, env.DATABASE_SECRET_ARN, 'database secret'),
    secretString(clients.secrets, env.ADMIN_SECRET_ARN, 'admin password secret'),
    secretString(clients.secrets, env.SESSION_SECRET_ARN, 'session secret'),
  ]);
  if (sessionSecret.length < 32) {
    throw new Error(`the session secret (${env.SESSION_SECRET_ARN}) is shorter than 32 characters`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(databaseJson);
  } catch {
    parsed = undefined;
  }
  const database = databaseSecretSchema.safeParse(parsed);
  if (!database.success) {
    throw new Error(
      `the database secret (${env.DATABASE_SECRET_ARN}) is not an RDS secret with username, password, host, port and dbname`,
    );
  }
  const { username, password, host, port, dbname } = database.data;
  const url = new URL(`postgres://${host}`);
  url.username = username;
  url.password = password;
  url.port = String(port);
  url.pathname = `/${dbname}`;
  return {
    database: {
      url: url.toString(),
      ssl: env.DATABASE_CA_FILE ? { ca: readFileSync(env.DATABASE_CA_FILE, 'utf8') } : undefined,
    },
    data: { source: new S3LoadSource(clients.s3, env.DATA_BUCKET, env.DATA_MANIFEST_KEY) },
    admin: { password: adminPassword },
    https: env.SITE_HTTPS === 'true',
    // Generated once per deployment (lib/web/web-tier.ts): a session opened on one instance holds on all.
    sessionSecret,
    registry:
      clients.registry ??
      new ParameterRegistry({
        parameterName: env.MODEL_REGISTRY_PARAMETER,
        port: createSsmParameterPort(env.AWS_REGION),
      }),
    // The site users' ratings, as events to the tracker the registry names (issue 18).
    eventSink: new PersonalizeEventSink({ region: env.AWS_REGION }),
    campaigns: new SdkCampaignRecipePort(
      clients.personalize ?? new PersonalizeClient({ region: env.AWS_REGION, maxAttempts: 2 }),
    ),
    // Behind the load balancer, exactly one hop: the client's address is the one the load balancer
    // appended to X-Forwarded-For (the login rate limit keys on it); earlier entries are the client's own.
    trustProxy: 1,
  };
}

export async function startInstance(
  env: NodeJS.ProcessEnv,
  clients?: Partial<InstanceClients>,
): Promise<{ web: Started; port: number }> {
  const parsed = parseInstanceEnvironment(env);
  const settings = await instanceSettings(parsed, {
    secrets: clients?.secrets ?? new SecretsManagerClient({ region: parsed.AWS_REGION }),
    s3: clients?.s3 ?? new S3Client({ region: parsed.AWS_REGION }),
    registry: clients?.registry,
    personalize: clients?.personalize,
  });
  // The journal (and CloudWatch Logs through the bootstrap's agent) stamps each line with its time.
  const web = await startWebApp({
    ...settings,
    log: (line) => console.log(line),
    requestLog: clients ? undefined : (line) => console.log(line),
  });
  return { web, port: Number(parsed.PORT) };
}

/** Starts and listens; exits 1 with the reason when the start fails (systemd restarts it). */
export async function runInstance(env: NodeJS.ProcessEnv): Promise<void> {
  try {
    const { web, port } = await startInstance(env);
    await web.app.listen({ port, host: '0.0.0.0' });
    // Listening first: the load balancer's health check passes while EASE trains between requests.
    void web.trainInBackground();
    const stop = () => void web.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (error) {
    console.error(`movierecs: start failed: ${(error as Error).message}`);
    process.exit(1);
  }
}
