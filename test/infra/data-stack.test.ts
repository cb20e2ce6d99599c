import { Match, Template } from 'aws-cdk-lib/assertions';
import { TRANSFORM_VERSION } from '../../lib/data/movielens/prepare';
import { buildWorkshop, resourcesOf, synthWorkshop, SynthesizedWorkshop } from './helpers';

let workshop: SynthesizedWorkshop;
let data: Template;
beforeAll(() => {
  workshop = synthWorkshop();
  data = workshop.data;
});

const dataBucketId = () => workshop.stacks.data.getLogicalId(workshop.stacks.data.bucket.node.defaultChild as never);
const bucketArn = () => ({ 'Fn::GetAtt': [dataBucketId(), 'Arn'] });
const objectsUnder = (prefix: string) => ({ 'Fn::Join': ['', [bucketArn(), `/${prefix}*`]] });
const thisAccount = { Ref: 'AWS::AccountId' };

test('snapshot', () => {
  expect(data.toJSON()).toMatchSnapshot();
});

describe('buckets', () => {
  test('every bucket is encrypted, private, owner-enforced and deleted with its objects', () => {
    const buckets = resourcesOf(data, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      expect(bucket.DeletionPolicy).toBe('Delete');
      data.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: id } });
    }
  });

  test('every bucket policy denies requests without TLS', () => {
    const buckets = resourcesOf(data, 'AWS::S3::Bucket').map(([id]) => id);
    for (const id of buckets) {
      data.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  test('the data bucket logs its access to the access-log bucket', () => {
    const [[logsId]] = resourcesOf(data, 'AWS::S3::Bucket').filter(([id]) => id !== dataBucketId());
    data.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'data-bucket/' },
    });
  });
});

describe('Amazon Personalize access', () => {
  test('the bucket policy is the documented one: personalize.amazonaws.com may list the bucket and read personalize/', () => {
    data.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: dataBucketId() },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'PersonalizeListBucket',
            Effect: 'Allow',
            Principal: { Service: 'personalize.amazonaws.com' },
            Action: 's3:ListBucket',
            Resource: bucketArn(),
          },
          {
            Sid: 'PersonalizeGetObjects',
            Effect: 'Allow',
            Principal: { Service: 'personalize.amazonaws.com' },
            Action: 's3:GetObject',
            Resource: objectsUnder('personalize/'),
          },
        ]),
      },
    });
  });

  test('the service statements carry no condition the documented policy lacks (an unmet one would fail every import)', () => {
    // "Giving Amazon Personalize access to Amazon S3 resources" shows no condition on these
    // statements, and nothing documents that the service's S3 requests carry aws:SourceAccount;
    // the confused-deputy guard is on the role's trust policy (next test).
    const statements = resourcesOf(data, 'AWS::S3::BucketPolicy').flatMap(
      ([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    const forPersonalize = statements.filter((s) => JSON.stringify(s.Principal).includes('personalize'));
    expect(forPersonalize.map((s) => s.Sid).sort()).toEqual(['PersonalizeGetObjects', 'PersonalizeListBucket']);
    for (const statement of forPersonalize) expect(statement.Condition).toBeUndefined();
  });

  test('the role trusts Personalize only for this account and its Personalize resources in this region', () => {
    const role = workshop.stacks.data.personalizeRole;
    const roleId = workshop.stacks.data.getLogicalId(role.node.defaultChild as never);
    const [, resource] = resourcesOf(data, 'AWS::IAM::Role').find(([id]) => id === roleId)!;
    expect(resource.Properties?.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'personalize.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': thisAccount },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:aws:personalize:us-east-1:', thisAccount, ':*']] } },
          },
        },
      ],
    });
  });

  test('the role can read personalize/ in this bucket and nothing else', () => {
    const roleId = workshop.stacks.data.getLogicalId(workshop.stacks.data.personalizeRole.node.defaultChild as never);
    const [, resource] = resourcesOf(data, 'AWS::IAM::Role').find(([id]) => id === roleId)!;
    expect(resource.Properties?.Policies).toEqual([
      {
        PolicyName: 'ReadPreparedData',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn() },
            { Effect: 'Allow', Action: 's3:GetObject', Resource: objectsUnder('personalize/') },
          ],
        },
      },
    ]);
    expect(resource.Properties?.ManagedPolicyArns).toBeUndefined();
    // No separate policy is attached to it either.
    for (const [, policy] of resourcesOf(data, 'AWS::IAM::Policy')) {
      expect(JSON.stringify(policy.Properties?.Roles)).not.toContain(roleId);
    }
  });
});

test('the web read policy reads web/ only', () => {
  data.hasResourceProperties('AWS::IAM::ManagedPolicy', {
    PolicyDocument: {
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: objectsUnder('web/') },
        {
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: bucketArn(),
          Condition: { StringLike: { 's3:prefix': ['web/*'] } },
        },
      ],
    },
  });
});

test('every resource that takes tags carries the prefix tag', () => {
  for (const [, bucket] of resourcesOf(data, 'AWS::S3::Bucket')) {
    expect(bucket.Properties?.Tags).toEqual(expect.arrayContaining([{ Key: 'movierecs:prefix', Value: 'MovieRecs' }]));
  }
});

describe('MovieLens preparation', () => {
  const handlerId = () =>
    workshop.stacks.data.getLogicalId(workshop.stacks.data.movieLens.handler.node.defaultChild as never);

  test('the custom resource carries the settings from the config', () => {
    data.hasResourceProperties('Custom::MovieLensPreparation', {
      Bucket: { Ref: dataBucketId() },
      Edition: 'ml-100k',
      BaseUrl: 'https://files.grouplens.org/datasets/movielens',
      PositiveRatingThreshold: '3.6',
      TimestampShift: JSON.stringify({ kind: 'newestAt', newestAt: '2019-04-01T00:00:00Z' }),
      SkipBadLines: 'false',
      TransformVersion: String(TRANSFORM_VERSION),
    });
  });

  test('other settings reach it too', () => {
    const other = synthWorkshop({
      dataset: 'ml-25m',
      instanceType: 't4g.large',
      positiveRatingThreshold: 4,
      timestampShift: 660833618,
      skipBadLines: true,
      movieLensBaseUrl: 'https://mirror.example.com/movielens',
    });
    other.data.hasResourceProperties('Custom::MovieLensPreparation', {
      Edition: 'ml-25m',
      BaseUrl: 'https://mirror.example.com/movielens',
      PositiveRatingThreshold: '4',
      TimestampShift: JSON.stringify({ kind: 'seconds', seconds: 660833618 }),
      SkipBadLines: 'true',
    });
  });

  test('the handler is sized for ml-25m: 1024 MB, 14 minutes, 2 GiB of /tmp, latest Node.js on arm64', () => {
    data.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.onEvent',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 14 * 60,
      EphemeralStorage: { Size: 2048 },
    });
  });

  test('a handler timeout is reported by the framework within its 15 minutes, and CloudFormation waits 16, not an hour', () => {
    const functions = resourcesOf(data, 'AWS::Lambda::Function');
    const [, handler] = functions.find(([id]) => id === handlerId())!;
    const framework = functions.filter(([, f]) =>
      String(f.Properties?.Description).startsWith(
        'AWS CDK resource provider framework - onEvent (MovieRecs-Data/MovieLens/',
      ),
    );
    expect(framework).toHaveLength(1);
    const frameworkTimeout = framework[0][1].Properties?.Timeout as number;
    expect(frameworkTimeout).toBe(15 * 60);
    expect(handler.Properties?.Timeout).toBeLessThanOrEqual(frameworkTimeout - 60);
    const [[, resource]] = resourcesOf(data, 'Custom::MovieLensPreparation');
    // CloudFormation takes the seconds as text.
    expect(resource.Properties?.ServiceTimeout).toBe(String(16 * 60));
    expect(Number(resource.Properties?.ServiceTimeout)).toBeGreaterThan(frameworkTimeout);
  });

  test("its logs, and the framework's, go to log groups deleted with the stack", () => {
    const groups = new Map(resourcesOf(data, 'AWS::Logs::LogGroup'));
    const functions = resourcesOf(data, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('MovieLens'));
    expect(functions).toHaveLength(2);
    for (const [, fn] of functions) {
      const group = groups.get((fn.Properties?.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref);
      expect(group?.DeletionPolicy).toBe('Delete');
      expect(group?.Properties?.RetentionInDays).toBe(30);
    }
  });

  test('its role writes, reads and deletes only under personalize/ and web/ of the data bucket', () => {
    const policies = resourcesOf(data, 'AWS::IAM::Policy').filter(([id]) =>
      id.startsWith('MovieLensHandlerServiceRoleDefaultPolicy'),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0][1].Properties?.PolicyDocument.Statement).toEqual([
      {
        Sid: 'WritePreparedFiles',
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        Resource: [objectsUnder('personalize/'), objectsUnder('web/')],
      },
      {
        Sid: 'ListPreparedFiles',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: bucketArn(),
        Condition: { StringLike: { 's3:prefix': ['personalize/*', 'web/*'] } },
      },
      {
        Sid: 'ReadConsumerRevisions',
        Effect: 'Allow',
        Action: 'cloudformation:DescribeStacks',
        Resource: ['MovieRecs-Personalize', 'MovieRecs-Web'].map((name) => ({
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':cloudformation:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              `:stack/${name}/*`,
            ],
          ],
        })),
      },
    ]);
  });

  test('the framework may invoke and inspect only the handler', () => {
    const policies = resourcesOf(data, 'AWS::IAM::Policy').filter(([id]) =>
      id.startsWith('MovieLensProviderframeworkonEvent'),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0][1].Properties?.PolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [
          { 'Fn::GetAtt': [handlerId(), 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [handlerId(), 'Arn'] }, ':*']] },
        ],
      },
      { Effect: 'Allow', Action: 'lambda:GetFunction', Resource: { 'Fn::GetAtt': [handlerId(), 'Arn'] } },
    ]);
  });

  describe('data revisions: what a data change keeps', () => {
    const resourceId = () => resourcesOf(data, 'Custom::MovieLensPreparation')[0][0];

    test('the custom resource names the stacks whose DataRevision output it reads before deleting a revision', () => {
      data.hasResourceProperties('Custom::MovieLensPreparation', {
        ConsumerStacks: ['MovieRecs-Personalize', 'MovieRecs-Web'],
        RevisionOutput: 'DataRevision',
      });
    });

    test.each(['personalize', 'web'] as const)(
      'the %s stack outputs DataRevision: the KeyBase of the Data stack, resolved when it deploys',
      (which) => {
        const outputs = workshop[which].toJSON().Outputs;
        const reference = outputs.DataRevision.Value['Fn::GetStackOutput'];
        expect(reference).toEqual({
          StackName: 'MovieRecs-Data',
          Region: 'us-east-1',
          OutputName: expect.any(String),
        });
        // The Data stack publishes the preparation's KeyBase attribute under that name.
        expect(data.toJSON().Outputs[reference.OutputName].Value).toEqual({ 'Fn::GetAtt': [resourceId(), 'KeyBase'] });
      },
    );

    test('a stack is a consumer once, and the Data stack is none', () => {
      const { stacks } = buildWorkshop();
      expect(() => stacks.data.movieLens.addConsumerStack(stacks.web)).toThrow(
        'MovieRecs-Web is already a consumer of the prepared data',
      );
      expect(() => stacks.data.movieLens.addConsumerStack(stacks.data)).toThrow(
        'MovieRecs-Data holds the preparation; it is not a consumer',
      );
    });
  });
});
