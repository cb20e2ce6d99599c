import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DATA_KEY_PREFIXES } from '../shared/names';
import { DataBucket } from './data-bucket';
import { MovieLensPreparation, MovieLensPreparationProps } from './movielens-preparation';
import { PersonalizeAccess } from './personalize-access';

export interface DataStackProps extends StackProps {
  /** What the MovieLens preparation downloads and how it transforms it. */
  readonly movieLens: Omit<MovieLensPreparationProps, 'bucket'>;
}

/**
 * The Data stack: where the prepared MovieLens data lives, and the access Amazon Personalize has
 * to it. The Personalize and Web stacks both build on it.
 */
export class DataStack extends Stack {
  /** The data bucket. */
  readonly bucket: s3.IBucket;
  /** The role Amazon Personalize assumes to import the data. */
  readonly personalizeRole: iam.IRole;
  /** Reads the web database load files; the web instances' role attaches it. */
  readonly webDataReadPolicy: iam.IManagedPolicy;

  /** The prepared MovieLens files (keys and counts as attributes). */
  readonly movieLens: MovieLensPreparation;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const data = new DataBucket(this, 'Data');
    const personalize = new PersonalizeAccess(this, 'PersonalizeAccess', { bucket: data.bucket });
    this.bucket = data.bucket;
    this.personalizeRole = personalize.role;
    this.movieLens = new MovieLensPreparation(this, 'MovieLens', { bucket: data.bucket, ...props.movieLens });
    this.webDataReadPolicy = data.createReadPolicy(
      'WebDataRead',
      DATA_KEY_PREFIXES.web,
      `The web instances load the database files the MovieLens preparation writes under ${DATA_KEY_PREFIXES.web}; ` +
        'their names vary by edition, so the policy reads that prefix of this one bucket.',
    );
    // For the presenter's tools (movierecs try reads titles and ratings from here).
    new CfnOutput(this, 'DataBucketName', { description: 'The workshop data bucket', value: data.bucket.bucketName });
    new CfnOutput(this, 'ManifestKey', {
      description: "The prepared data's manifest.json in the data bucket",
      value: this.movieLens.attribute('ManifestKey'),
    });
  }
}
