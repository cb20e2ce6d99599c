/**
 * The instance start-up path (app-src/instance.ts): names from the environment, secrets from
 * Secrets Manager, data from the bucket, then the same start as `npm start`. AWS is mocked with
 * aws-sdk-client-mock; the database is a real PostgreSQL (TEST_DATABASE_URL), as on RDS.
 */
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createReadStream, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { instanceSettings, parseInstanceEnvironment, startInstance } from '../../app-src/instance';
import { StaticRegistry } from '../../app-src/recommenders/registry';
import { freshPostgresDatabase, writePreparedFixture } from './helpers';

const DB_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mrw-db-AbCdEf';
const ADMIN_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mrw-admin-AbCdEf';
const SESSION_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:mrw-session-AbCdEf';
const SESSION_KEY = 'k'.repeat(64);
const ENV = {
  AWS_REGION: 'us-east-1',
  PORT: '8000',
  MODEL_REGISTRY_PARAMETER: '/mrw/models',
  DATABASE_SECRET_ARN: DB_SECRET,
  ADMIN_SECRET_ARN: ADMIN_SECRET,
  SESSION_SECRET_ARN: SESSION_SECRET,
  DATA_BUCKET: 'mrw-data-bucket',
  DATA_MANIFEST_KEY: 'personalize/ml-100k/abc/manifest.json',
};

/** S3 as the Data stack leaves it: the manifest under DATA_MANIFEST_KEY, the web files it lists. */
function bucketFrom(folder: string) {
  const s3 = mockClient(S3Client);
  const requested: string[] = [];
  s3.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
    requested.push(input.Key);
    if (input.Bucket !== ENV.DATA_BUCKET) throw new Error(`unexpected bucket ${input.Bucket}`);
    const file =
      input.Key === ENV.DATA_MANIFEST_KEY
        ? path.join(folder, 'personalize', 'manifest.json')
        : path.join(folder, input.Key);
    if (!existsSync(file)) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
    return {
      Body: Object.assign(createReadStream(file), { transformToString: async () => readFileSync(file, 'utf8') }),
    };
  });
  return { s3, requested };
}

function secretsFor(databaseUrl: string, adminPassword = 'generated admin password') {
  const url = new URL(databaseUrl);
  const secrets = mockClient(SecretsManagerClient);
  secrets.on(GetSecretValueCommand, { SecretId: DB_SECRET }).resolves({
    SecretString: JSON.stringify({
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      host: url.hostname,
      port: Number(url.port || 5432),
      dbname: url.pathname.slice(1),
      engine: 'postgres',
    }),
  });
  secrets.on(GetSecretValueCommand, { SecretId: ADMIN_SECRET }).resolves({ SecretString: adminPassword });
  secrets.on(GetSecretValueCommand, { SecretId: SESSION_SECRET }).resolves({ SecretString: SESSION_KEY });
  return secrets;
}

describe('the instance environment', () => {
  it('names every missing or malformed setting', () => {
    expect(() =>
      parseInstanceEnvironment({ ...ENV, DATA_BUCKET: undefined, PORT: 'eighty', AWS_REGION: 'mars' }),
    ).toThrow(
      /the instance environment is incomplete: AWS_REGION must be a region such as us-east-1; PORT must be a port number; DATA_BUCKET is not set/,
    );
    expect(parseInstanceEnvironment(ENV)).toMatchObject(ENV);
  });

  it('builds the database URL from the RDS secret, escaping what needs it', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand, { SecretId: DB_SECRET }).resolves({
      SecretString: JSON.stringify({
        username: 'movierecs',
        password: 'p@ss/w:rd?',
        host: 'db.example',
        port: 5432,
        dbname: 'movierecs',
      }),
    });
    secrets.on(GetSecretValueCommand, { SecretId: ADMIN_SECRET }).resolves({ SecretString: 'admin-pw' });
    secrets.on(GetSecretValueCommand, { SecretId: SESSION_SECRET }).resolves({ SecretString: SESSION_KEY });
    const settings = await instanceSettings(parseInstanceEnvironment(ENV), {
      secrets: secrets as unknown as SecretsManagerClient,
      s3: new S3Client({ region: 'us-east-1' }),
      registry: new StaticRegistry(),
    });
    expect(settings.database).toEqual({
      url: 'postgres://movierecs:p%40ss%2Fw%3Ard%3F@db.example:5432/movierecs',
      ssl: undefined,
    });
    expect(new URL((settings.database as { url: string }).url).password).toBe('p%40ss%2Fw%3Ard%3F');
    expect(settings.admin).toEqual({ password: 'admin-pw' });
    expect(settings.trustProxy).toBe(1);
    // The deployment's one session key, the same on every instance (not generated per process).
    expect(settings.sessionSecret).toBe(SESSION_KEY);
    // Served over HTTP unless the stack says HTTPS (SITE_HTTPS, set only with a certificate).
    expect(settings.https).toBe(false);
    const https = await instanceSettings(parseInstanceEnvironment({ ...ENV, SITE_HTTPS: 'true' }), {
      secrets: secrets as unknown as SecretsManagerClient,
      s3: new S3Client({ region: 'us-east-1' }),
      registry: new StaticRegistry(),
    });
    expect(https.https).toBe(true);
    expect(() => parseInstanceEnvironment({ ...ENV, SITE_HTTPS: 'yes' })).toThrow('SITE_HTTPS must be true or absent');
  });

  it('needs the session secret: its ARN in the environment, a key of at least 32 characters', async () => {
    expect(() => parseInstanceEnvironment({ ...ENV, SESSION_SECRET_ARN: undefined })).toThrow(
      'SESSION_SECRET_ARN is not set',
    );
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand, { SecretId: DB_SECRET }).resolves({
      SecretString: JSON.stringify({ username: 'u', password: 'p', host: 'db.example', port: 5432, dbname: 'd' }),
    });
    secrets.on(GetSecretValueCommand, { SecretId: ADMIN_SECRET }).resolves({ SecretString: 'admin-pw' });
    secrets.on(GetSecretValueCommand, { SecretId: SESSION_SECRET }).resolves({ SecretString: 'short' });
    const clients = {
      secrets: secrets as unknown as SecretsManagerClient,
      s3: new S3Client({ region: 'us-east-1' }),
      registry: new StaticRegistry(),
    };
    await expect(instanceSettings(parseInstanceEnvironment(ENV), clients)).rejects.toThrow(
      `the session secret (${SESSION_SECRET}) is shorter than 32 characters`,
    );
  });

  it("uses the bootstrap's RDS certificate bundle for TLS, and names the file when it is missing", async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand, { SecretId: DB_SECRET }).resolves({
      SecretString: JSON.stringify({ username: 'u', password: 'p', host: 'db.example', port: 5432, dbname: 'd' }),
    });
    secrets.on(GetSecretValueCommand, { SecretId: ADMIN_SECRET }).resolves({ SecretString: 'admin-pw' });
    secrets.on(GetSecretValueCommand, { SecretId: SESSION_SECRET }).resolves({ SecretString: SESSION_KEY });
    const clients = {
      secrets: secrets as unknown as SecretsManagerClient,
      s3: new S3Client({ region: 'us-east-1' }),
      registry: new StaticRegistry(),
    };
    const folder = mkdtempSync(path.join(tmpdir(), 'movierecs-ca-'));
    const caFile = path.join(folder, 'rds-ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const settings = await instanceSettings(parseInstanceEnvironment({ ...ENV, DATABASE_CA_FILE: caFile }), clients);
    expect(settings.database).toEqual({
      url: 'postgres://u:p@db.example:5432/d',
      ssl: { ca: readFileSync(caFile, 'utf8') },
    });
    const missing = path.join(folder, 'absent.pem');
    await expect(
      instanceSettings(parseInstanceEnvironment({ ...ENV, DATABASE_CA_FILE: missing }), clients),
    ).rejects.toThrow(missing);
  });

  it('says which secret could not be read, and what a bad database secret lacks', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand, { SecretId: DB_SECRET }).resolves({ SecretString: '{"username":"x"}' });
    secrets.on(GetSecretValueCommand, { SecretId: SESSION_SECRET }).resolves({ SecretString: SESSION_KEY });
    secrets
      .on(GetSecretValueCommand, { SecretId: ADMIN_SECRET })
      .rejects(
        new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }),
      );
    const clients = {
      secrets: secrets as unknown as SecretsManagerClient,
      s3: new S3Client({}),
      registry: new StaticRegistry(),
    };
    await expect(instanceSettings(parseInstanceEnvironment(ENV), clients)).rejects.toThrow(
      `could not read the admin password secret (${ADMIN_SECRET}): Secrets Manager can't find the specified secret.`,
    );
    secrets.on(GetSecretValueCommand, { SecretId: ADMIN_SECRET }).resolves({ SecretString: 'pw' });
    await expect(instanceSettings(parseInstanceEnvironment(ENV), clients)).rejects.toThrow(
      `the database secret (${DB_SECRET}) is not an RDS secret with username, password, host, port and dbname`,
    );
  });
});

const onPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

onPostgres('an instance starting on PostgreSQL with the data in S3', () => {
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ url, drop } = await freshPostgresDatabase());
  });
  afterAll(async () => drop?.());

  it('loads the data once when two instances start together, then serves it', async () => {
    const { s3, requested } = bucketFrom(writePreparedFixture());
    const secrets = secretsFor(url);
    const clients = {
      secrets: secrets as unknown as SecretsManagerClient,
      s3: s3 as unknown as S3Client,
      registry: new StaticRegistry(),
    };
    const [a, b] = await Promise.all([startInstance(ENV, clients), startInstance(ENV, clients)]);
    try {
      expect([a.web.load.status, b.web.load.status].sort()).toEqual(['loaded', 'unchanged']);
      expect(a.port).toBe(8000);
      // One load into the database (the other start found it loaded: statuses above); each start
      // then trains its local models on the same file, streamed (app-src/start.ts).
      expect(requested.filter((k) => k === 'web/ratings.csv')).toHaveLength(3);
      const health = await a.web.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.body).toBe('ok');
      const front = await b.web.app.inject({ method: 'GET', url: '/recommend/' });
      expect(front.body).toMatch(/data-count="ratings">29</);
      const rows = await a.web.database.pool.query<{ n: number }>('select count(*)::int as n from ratings');
      expect(rows.rows[0].n).toBe(29);
    } finally {
      await Promise.all([a.web.close(), b.web.close()]);
    }
  }, 120_000);

  it('fails with the bucket named when the data has not been prepared', async () => {
    const { s3 } = bucketFrom('/nonexistent-folder');
    await expect(
      startInstance(ENV, {
        secrets: secretsFor(url) as unknown as SecretsManagerClient,
        s3: s3 as unknown as S3Client,
        registry: new StaticRegistry(),
      }),
    ).rejects.toThrow(/^s3:\/\/mrw-data-bucket: no personalize\/manifest.json/);
  }, 60_000);
});
