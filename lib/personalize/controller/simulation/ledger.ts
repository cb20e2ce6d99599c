/**
 * The rule ledger: every rule the simulated Amazon Personalize enforces, with the documentation it
 * comes from. The simulation refuses a call only by naming a rule of this list (`refuse(id, ...)`),
 * so a refusal always has a source; `test/personalize/ledger.test.ts` breaks each rule on purpose
 * and checks the simulation refuses it, checks that the file named in `enforcedIn` enforces it and
 * that the kit's own scenario named in `kitTest` exists; the scenarios assert that the kit never
 * has a call refused. `docs/personalize-rule-ledger.md` is this list as a table (`npm run ledger`).
 *
 * `basis`: `documented` when the quoted sentence states the rule; `conservative` when the
 * documentation is silent on the case (or on the error it returns) and the simulation takes the
 * stricter reading, so that a test cannot pass where the service might refuse. The error names are
 * from each operation's list of errors in the API reference.
 */

export type RuleBasis = 'documented' | 'conservative';

export interface LedgerRule {
  /** Stable id, e.g. `delete-dataset/campaigns`. */
  readonly id: string;
  /** The operations it applies to, as the API reference names them. */
  readonly operations: string;
  /** What the service refuses or does, in words. */
  readonly rule: string;
  /** The documentation's own words (or what it leaves open, for a conservative rule). */
  readonly quote: string;
  readonly source: string;
  readonly basis: RuleBasis;
  /** The error the simulation answers, or `behaviour` for a rule that is not a refusal. */
  readonly answer: string;
  /** The simulation file that enforces it (the rule id appears there). */
  readonly enforcedIn: string;
  /** Where the kit meets the rule: `<test file> › <test title>`. */
  readonly kitTest: string;
}

const API = (operation: string) => `https://docs.aws.amazon.com/personalize/latest/dg/API_${operation}.html`;
const DG = (page: string) => `https://docs.aws.amazon.com/personalize/latest/dg/${page}.html`;
const DATA = 'lib/personalize/controller/simulation/data-rules.ts';
const MODELS = 'lib/personalize/controller/simulation/model-rules.ts';
const SIM = 'lib/personalize/controller/simulation/simulated-personalize.ts';
const RUNTIME = 'lib/personalize/controller/simulation/runtime.ts';
const STORE = 'lib/personalize/controller/simulation/store.ts';
const REALTIME = 'lib/personalize/controller/simulation/realtime-rules.ts';
const EVENTS = 'lib/personalize/controller/simulation/events.ts';
const REALTIME_TEST =
  'test/personalize/realtime.test.ts › the event tracker and both filters are made once the datasets exist and published in the registry';
const EVENTS_TEST = 'test/personalize/realtime.test.ts › ratings sent with PutEvents reach the filters';
const CREATE =
  'test/personalize/reconcile.test.ts › a fresh account converges: three campaigns at 1 TPS, every resource tagged, models in order with metrics';
const TEARDOWN = 'test/personalize/real-service.test.ts › teardown started %p minutes into the first deploy';
const GENERATION =
  'test/personalize/generations.test.ts › ml-100k -> ml-latest-small: a new generation beside the old, then the old one goes';
const RUNTIME_TEST =
  'test/personalize/runtime.test.ts › the web app asks every model type as the API reference requires';

export const RULES: readonly LedgerRule[] = [
  // ------------------------------------------------------------------ names and tags
  {
    id: 'names/pattern',
    operations:
      'CreateDatasetGroup, CreateSchema, CreateDataset, CreateDatasetImportJob, CreateSolution, CreateCampaign',
    rule: 'a name is 1 to 63 characters of letters, digits, "-" and "_", starting with a letter or digit',
    quote: 'Minimum length of 1. Maximum length of 63. Pattern: ^[a-zA-Z0-9][a-zA-Z0-9\\-_]*',
    source: API('CreateCampaign'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: SIM,
    kitTest: 'test/personalize/reconcile.test.ts › long display names still make valid Personalize names',
  },
  {
    id: 'names/unique',
    operations: 'every Create*',
    rule: 'a name is unique per kind of resource in the account and region',
    quote:
      'Stated for campaigns only ("The campaign name must be unique within your account."); for the other kinds the ' +
      'documentation lists ResourceAlreadyExistsException without saying its scope: the account is the stricter reading',
    source: API('CreateCampaign'),
    basis: 'conservative',
    answer: 'ResourceAlreadyExistsException',
    enforcedIn: SIM,
    kitTest: 'test/personalize/reconcile.test.ts › a crash right after creating a %s creates no duplicate',
  },
  {
    id: 'names/import-jobs-stay',
    operations: 'CreateDatasetImportJob',
    rule: 'an import job name stays taken after its dataset is gone (import jobs cannot be deleted)',
    quote:
      '"You aren\'t charged for dataset import jobs after they complete and you can\'t delete them." Whether a name ' +
      'frees with its dataset is not said: the simulation keeps it taken',
    source: DG('deleting-resources'),
    basis: 'conservative',
    answer: 'ResourceAlreadyExistsException',
    enforcedIn: SIM,
    kitTest:
      'test/personalize/reconcile.test.ts › a workshop destroyed and deployed again gets fresh import job names (they are unique in the account)',
  },
  {
    id: 'tags/limits',
    operations: 'every Create* with tags, TagResource',
    rule: 'at most 50 tags; keys 1-128 and values 0-256 characters of letters, digits, spaces and _ . : / = + - @; no aws: prefix',
    quote:
      '"Maximum number of tags per resource – 50", "Maximum key length – 128 Unicode characters", "Maximum value ' +
      'length – 256 Unicode characters", "A-Z, a-z, 0-9, space, and _ . : / = + @ – (hyphen)", "can\'t start with aws:"',
    source: DG('personalize-managing-tags'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: SIM,
    kitTest: CREATE,
  },
  // ------------------------------------------------------------------ lifecycle of creates
  {
    id: 'create/parent-active',
    operations: 'CreateDataset, CreateSolution, CreateSolutionVersion, CreateDatasetImportJob, CreateCampaign',
    rule: 'a resource is created only under a parent that is ACTIVE and not being deleted',
    quote:
      '"You must wait until the status of the dataset group is ACTIVE before adding a dataset to the group." "A ' +
      'solution ... must be in the ACTIVE state before calling CreateSolutionVersion."',
    source: API('CreateDatasetGroup'),
    basis: 'documented',
    answer: 'ResourceInUseException',
    enforcedIn: SIM,
    kitTest: CREATE,
  },
  {
    id: 'create/one-dataset-per-type',
    operations: 'CreateDataset',
    rule: 'a dataset group holds at most one dataset of each type',
    quote: '"A dataset group can contain only one of each type of dataset."',
    source: API('DatasetGroup'),
    basis: 'documented',
    answer: 'ResourceAlreadyExistsException',
    enforcedIn: DATA,
    kitTest: CREATE,
  },
  {
    id: 'create/one-event-tracker',
    operations: 'CreateEventTracker',
    rule: 'a dataset group has at most one event tracker',
    quote:
      '"Only one event tracker can be associated with a dataset group. You will get an error if you call ' +
      'CreateEventTracker using the same dataset group as an existing event tracker." (the error is not named: ' +
      'ResourceAlreadyExistsException, of the errors the operation lists)',
    source: API('CreateEventTracker'),
    basis: 'documented',
    answer: 'ResourceAlreadyExistsException',
    enforcedIn: REALTIME,
    kitTest:
      'test/personalize/realtime.test.ts › a tracker someone else made in our group is used by nobody and left alone',
  },
  {
    id: 'create/filter-expression',
    operations: 'CreateFilter',
    rule:
      'the expression has the documented structure, names fields the datasets of the group have, filters interactions ' +
      'by event type only, does not mix Item interactions and Items in one expression, takes no parameter with NOT IN, ' +
      'uses at most 10 distinct fields, and is 1 to 2,500 characters',
    quote:
      '"EXCLUDE/INCLUDE ItemID/ActionID/UserID WHERE dataset type.field IN/NOT IN (value/parameter)" "you can only ' +
      'filter based on event type" "You can\'t use Item Interaction and Item datasets in one expression" "The maximum ' +
      'number of distinct dataset fields for a filter in one expression or multiple expressions chained together is ' +
      '10" "You can\'t use placeholder parameters in filter expressions that use the NOT_IN operator" (a field the ' +
      "group's datasets lack is refused too: the documentation is silent on it, the simulation takes the stricter reading)",
    source: DG('filter-expression-guidelines-requirements'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: REALTIME,
    kitTest: REALTIME_TEST,
  },
  {
    id: 'create/filter-fields-per-group',
    operations: 'CreateFilter',
    rule: "the group's filters use at most 20 distinct dataset fields in all",
    quote: '"The maximum number of distinct dataset fields across all filters in a dataset group is 20."',
    source: DG('filter-expression-guidelines-requirements'),
    basis: 'documented',
    answer: 'LimitExceededException',
    enforcedIn: REALTIME,
    kitTest: REALTIME_TEST,
  },
  {
    id: 'create/schema-valid',
    operations: 'CreateSchema',
    rule: 'a schema is Avro JSON (a record with fields) of at most 20,000 characters',
    quote: '"The schema you create must be in Avro JSON format." schema: "Maximum length of 20000."',
    source: API('CreateSchema'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: DATA,
    kitTest: CREATE,
  },
  {
    id: 'create/dataset-schema-exists',
    operations: 'CreateDataset',
    rule: 'the schema a dataset names must exist',
    quote: 'CreateDataset lists ResourceNotFoundException: "Could not find the specified resource."',
    source: API('CreateDataset'),
    basis: 'documented',
    answer: 'ResourceNotFoundException',
    enforcedIn: DATA,
    kitTest: CREATE,
  },
  {
    id: 'create/import-not-during-change',
    operations: 'CreateDatasetImportJob',
    rule: 'no import into a dataset while another import into it, or a schema replacement of it, is in progress',
    quote:
      'Not stated; the only rule is the account-wide quota of imports in progress: the simulation refuses the overlap',
    source: API('CreateDatasetImportJob'),
    basis: 'conservative',
    answer: 'ResourceInUseException',
    enforcedIn: DATA,
    kitTest:
      'test/personalize/real-service.test.ts › is trained on, and the models stay published while it is imported and trained',
  },
  {
    id: 'create/solution-needs-interactions',
    operations: 'CreateSolution',
    rule: 'a solution is created in a dataset group that has an interactions dataset',
    quote:
      '"Only the Item interactions dataset is required in order to train a model"; what CreateSolution does without one is not said',
    source: API('CreateDataset'),
    basis: 'conservative',
    answer: 'InvalidInputException',
    enforcedIn: MODELS,
    kitTest: CREATE,
  },
  {
    id: 'train/after-imports',
    operations: 'CreateSolutionVersion',
    rule: 'training starts only when interactions were imported and no import, schema replacement or delete of a dataset of the group is in progress',
    quote: '"You must wait until the status shows as ACTIVE before training a model using the dataset."',
    source: API('CreateDatasetImportJob'),
    basis: 'documented',
    answer: 'ResourceInUseException',
    enforcedIn: MODELS,
    kitTest:
      'test/personalize/real-service.test.ts › is trained on, and the models stay published while it is imported and trained',
  },
  {
    id: 'campaign/version-active',
    operations: 'CreateCampaign, UpdateCampaign',
    rule: 'a campaign deploys only an ACTIVE solution version of its own solution',
    quote: '"Wait until the status shows as ACTIVE before calling CreateCampaign."',
    source: API('CreateSolutionVersion'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: MODELS,
    kitTest: CREATE,
  },
  {
    id: 'campaign/min-tps',
    operations: 'CreateCampaign, UpdateCampaign',
    rule: 'minProvisionedTPS is a whole number of at least 1',
    quote: 'minProvisionedTPS: "Minimum value of 1."',
    source: API('CreateCampaign'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: MODELS,
    kitTest: 'test/personalize/reconcile.test.ts › a changed TPS updates the campaign in place, without retraining',
  },
  {
    id: 'solution/auto-training',
    operations: 'CreateSolution',
    rule: 'performAutoTraining defaults to true: the service then trains (and bills) a new version within an hour of ACTIVE and every 7 days while new data arrives',
    quote:
      '"The default is True and the solution automatically creates new solution versions every 7 days." "Automatic ' +
      'solution version creation starts within one hour after the solution is ACTIVE."',
    source: API('CreateSolution'),
    basis: 'documented',
    answer: 'behaviour',
    enforcedIn: MODELS,
    kitTest: 'test/personalize/rules-in-scenarios.test.ts › no solution of the kit trains on its own',
  },
  {
    id: 'solution/new-columns-excluded',
    operations: 'CreateSolutionVersion after UpdateDataset',
    rule: 'a solution trains on the columns its datasets had when it was created; columns added by a schema replacement are used only by new solutions',
    quote:
      '"After you replace a dataset\'s schema, Amazon Personalize automatically excludes any new columns from ' +
      'training for any existing recommenders or custom solutions."',
    source: DG('updating-dataset-schema'),
    basis: 'documented',
    answer: 'behaviour',
    enforcedIn: MODELS,
    kitTest:
      'test/personalize/generations.test.ts › a new items column: the dataset moves in place and new solutions train on it',
  },
  // ------------------------------------------------------------------ updates
  {
    id: 'update-campaign/status',
    operations: 'UpdateCampaign',
    rule: 'a campaign is updated only when ACTIVE or CREATE FAILED, and not while its previous update is in progress',
    quote:
      '"To update a campaign, the campaign status must be ACTIVE or CREATE FAILED." A second update during one in ' +
      'progress is not mentioned: the simulation refuses it',
    source: API('UpdateCampaign'),
    basis: 'documented',
    answer: 'ResourceInUseException',
    enforcedIn: MODELS,
    kitTest: 'test/personalize/reconcile-details.test.ts › a campaign being updated serves (published) and says UPDATE',
  },
  {
    id: 'update-campaign/serves-previous',
    operations: 'UpdateCampaign',
    rule: 'while an update is in progress the campaign serves its previous version and TPS; a failed update leaves them',
    quote:
      '"The campaign will use the previous solution version and campaign configuration to generate recommendations ' +
      'until the latest campaign update status is Active."',
    source: API('UpdateCampaign'),
    basis: 'documented',
    answer: 'behaviour',
    enforcedIn: STORE,
    kitTest: 'test/personalize/real-service.test.ts › surface with the reason instead of being re-issued every minute',
  },
  {
    id: 'update-dataset/not-interactions',
    operations: 'UpdateDataset',
    rule: "the interactions dataset's schema cannot be replaced",
    quote:
      '"You can\'t replace the schema of an Item interactions dataset, Action interactions dataset or Actions dataset."',
    source: DG('updating-dataset-schema'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: DATA,
    kitTest:
      'test/personalize/generations.test.ts › a new interactions schema is a new generation, never an UpdateDataset',
  },
  {
    id: 'update-dataset/compatible',
    operations: 'UpdateDataset',
    rule: 'a replacement schema keeps every field with its type and attributes, and its new fields accept null',
    quote:
      '"you must keep all fields in the previous schema and you can\'t change their data types or attributes." "Any ' +
      'new fields must support null data."',
    source: DG('updating-dataset-schema'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: DATA,
    kitTest:
      'test/personalize/generations.test.ts › an items schema that drops a field is refused with the reason, before any call',
  },
  {
    id: 'update-dataset/idle',
    operations: 'UpdateDataset',
    rule: 'a dataset is moved to another schema only when ACTIVE, with no import or earlier update in progress',
    quote:
      'Not stated which states block UpdateDataset (it lists ResourceInUseException): the simulation refuses any change in progress',
    source: API('UpdateDataset'),
    basis: 'conservative',
    answer: 'ResourceInUseException',
    enforcedIn: DATA,
    kitTest:
      'test/personalize/generations.test.ts › a new items column: the dataset moves in place and new solutions train on it',
  },
  {
    id: 'stop-training/status',
    operations: 'StopSolutionVersionCreation',
    rule: 'only a version in CREATE PENDING or CREATE IN_PROGRESS can be stopped',
    quote:
      '"Stops creating a solution version that is in a state of CREATE_PENDING or CREATE IN_PROGRESS." The error for ' +
      'another state is not named (the operation lists InvalidInputException, ResourceInUseException): the simulation ' +
      'answers InvalidInputException, the one the kit would otherwise take for a failure',
    source: API('StopSolutionVersionCreation'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: MODELS,
    kitTest:
      'test/personalize/rules-in-scenarios.test.ts › a stop that races the end of the training is done, not a failed destroy',
  },
  // ------------------------------------------------------------------ deletes
  {
    id: 'delete/not-while-changing',
    operations: 'every Delete*',
    rule: 'nothing is deleted while it is being created, stopped, updated or deleted',
    quote:
      '"You can\'t delete a resource whose status is changing from one state to another. ... The resource status must be ' +
      'ACTIVE or CREATE FAILED."',
    source: DG('deleting-resources'),
    basis: 'documented',
    answer: 'ResourceInUseException',
    enforcedIn: SIM,
    kitTest: TEARDOWN,
  },
  {
    id: 'delete-dataset-group/contents',
    operations: 'DeleteDatasetGroup',
    rule: 'a dataset group is deleted only when its event trackers, solutions and datasets are gone (filters and metric attributions too)',
    quote:
      '"Before you delete a dataset group, you must delete the following: All associated event trackers. All associated ' +
      'solutions. All datasets in the dataset group." Filters and metric attributions come before datasets in the ' +
      'recommended order; the simulation requires them gone too',
    source: API('DeleteDatasetGroup'),
    basis: 'documented',
    answer: 'ResourceInUseException',
    enforcedIn: DATA,
    kitTest: TEARDOWN,
  },
  {
    id: 'delete-schema/in-use',
    operations: 'DeleteSchema',
    rule: 'a schema is deleted only when no dataset uses it',
    quote: '"Before deleting a schema, you must delete all datasets referencing the schema."',
    source: API('DeleteSchema'),
    basis: 'documented',
    answer: 'ResourceInUseException',
    enforcedIn: DATA,
    kitTest: TEARDOWN,
  },
  {
    id: 'delete-dataset/campaigns',
    operations: 'DeleteDataset',
    rule: 'no campaign of the group may be pending, in progress or active',
    quote: '"No associated Campaign can have a status of CREATE PENDING or IN PROGRESS or ACTIVE."',
    source: DG('delete-dataset'),
    basis: 'documented',
    answer: 'ResourceInUseException',
    enforcedIn: DATA,
    kitTest: GENERATION,
  },
  {
    id: 'delete-dataset/filters',
    operations: 'DeleteDataset',
    rule: 'every filter of the group is deleted first',
    quote: '"You must delete all filters before deleting any dataset."',
    source: DG('delete-dataset'),
    basis: 'documented',
    answer: 'ResourceInUseException',
    enforcedIn: DATA,
    kitTest: 'test/personalize/reconcile.test.ts › a hand-made filter and event tracker in our dataset group go too',
  },
  {
    id: 'delete-dataset/event-tracker',
    operations: 'DeleteDataset',
    rule: "the group's event tracker is deleted before its interactions dataset",
    quote: '"If you created an event tracker, you must delete it before you delete an Item interactions dataset."',
    source: DG('delete-dataset'),
    basis: 'documented',
    answer: 'ResourceInUseException',
    enforcedIn: DATA,
    kitTest: 'test/personalize/reconcile.test.ts › a hand-made filter and event tracker in our dataset group go too',
  },
  {
    id: 'delete-dataset/metric-attributions',
    operations: 'DeleteDataset',
    rule: 'metric attributions of the group are deleted first',
    quote:
      '"If you created a metric attribution that references the dataset, you must delete the metric attribution first." ' +
      '(the simulation counts every metric attribution of the group)',
    source: DG('delete-dataset'),
    basis: 'documented',
    answer: 'ResourceInUseException',
    enforcedIn: DATA,
    kitTest: 'test/personalize/rules-in-scenarios.test.ts › a metric attribution in our group goes before its datasets',
  },
  {
    id: 'delete-dataset/jobs-in-progress',
    operations: 'DeleteDataset',
    rule: 'no import into it, and no training or batch job of the group, may be pending or in progress (nor a training stopping)',
    quote:
      '"No associated DatasetImportJob can have a status of CREATE PENDING or IN PROGRESS." "No associated ' +
      'BatchInferenceJob or BatchSegmentJob ..." "No associated Recommender, SolutionVersion can have a status of ' +
      'CREATE PENDING or IN PROGRESS."',
    source: DG('delete-dataset'),
    basis: 'documented',
    answer: 'ResourceInUseException',
    enforcedIn: DATA,
    kitTest: 'test/personalize/reconcile.test.ts › during training: training is stopped, then everything goes',
  },
  {
    id: 'delete-solution/campaigns',
    operations: 'DeleteSolution',
    rule: 'every campaign of the solution is deleted first',
    quote: '"Before deleting a solution, you must delete all campaigns based on the solution."',
    source: API('DeleteSolution'),
    basis: 'documented',
    answer: 'ResourceInUseException',
    enforcedIn: MODELS,
    kitTest: 'test/personalize/reconcile.test.ts › a changed recipe replaces the solution and its campaign',
  },
  {
    id: 'delete-solution/training',
    operations: 'DeleteSolution',
    rule: 'no version of the solution may be training (pending, in progress or stopping) or used by a running batch job',
    quote:
      '"You can\'t delete a solution if an associated SolutionVersion is in the CREATE PENDING or IN PROGRESS state." ' +
      'Stopping versions and batch jobs are not mentioned: the simulation waits for them too',
    source: API('DeleteSolution'),
    basis: 'documented',
    answer: 'ResourceInUseException',
    enforcedIn: MODELS,
    kitTest: 'test/personalize/reconcile.test.ts › during training: training is stopped, then everything goes',
  },
  // ------------------------------------------------------------------ reads
  {
    id: 'read/not-found',
    operations: 'Describe*, ListTagsForResource, GetSolutionMetrics, List* under a parent',
    rule: 'a read of a resource that does not exist (or a list under a parent that does not) is answered ResourceNotFoundException',
    quote:
      'The operations list ResourceNotFoundException ("Could not find the specified resource."); for a list under a ' +
      'deleted parent only ListSolutionVersions names it: the simulation answers it for every list',
    source: API('ListSolutionVersions'),
    basis: 'conservative',
    answer: 'ResourceNotFoundException',
    enforcedIn: SIM,
    kitTest:
      'test/personalize/real-service.test.ts › the group vanishing between the list and the tag read means gone, not failed',
  },
  {
    id: 'read/metrics-active',
    operations: 'GetSolutionMetrics',
    rule: 'metrics exist only for an ACTIVE solution version',
    quote:
      'Not stated; the operation lists ResourceInUseException: the simulation answers it before the version is ACTIVE',
    source: API('GetSolutionMetrics'),
    basis: 'conservative',
    answer: 'ResourceInUseException',
    enforcedIn: MODELS,
    kitTest: CREATE,
  },
  // ------------------------------------------------------------------ quotas
  {
    id: 'quota/dataset-groups',
    operations: 'CreateDatasetGroup',
    rule: 'at most 5 active dataset groups per region (a generation change needs 2)',
    quote:
      '"Total number of active dataset groups." 5 (adjustable). The error a quota returns is not named: LimitExceededException',
    source: DG('limits'),
    basis: 'documented',
    answer: 'LimitExceededException',
    enforcedIn: DATA,
    kitTest:
      'test/personalize/real-service.test.ts › a dataset group refused for longer than the patience fails with the reason and what to do',
  },
  {
    id: 'quota/imports',
    operations: 'CreateDatasetImportJob',
    rule: 'at most 5 import jobs pending or in progress per region',
    quote: '"Total number of pending or in progress dataset import jobs." 5',
    source: DG('limits'),
    basis: 'documented',
    answer: 'LimitExceededException',
    enforcedIn: DATA,
    kitTest:
      'test/personalize/reconcile.test.ts › quota pressure from another workshop (imports and trainings) only delays',
  },
  {
    id: 'quota/schemas',
    operations: 'CreateSchema',
    rule: 'at most 500 schemas per region',
    quote: '"Total number of active schemas." 500',
    source: DG('limits'),
    basis: 'documented',
    answer: 'LimitExceededException',
    enforcedIn: DATA,
    kitTest: CREATE,
  },
  {
    id: 'quota/trainings',
    operations: 'CreateSolutionVersion',
    rule: 'at most 20 solution versions pending or in progress per region',
    quote: '"Total number of pending or in progress solution versions." 20 (adjustable)',
    source: DG('limits'),
    basis: 'documented',
    answer: 'LimitExceededException',
    enforcedIn: MODELS,
    kitTest: 'test/personalize/reconcile.test.ts › while the quota is full, creates are deferred, not failed',
  },
  {
    id: 'quota/solutions',
    operations: 'CreateSolution',
    rule: 'at most 10 solutions per dataset group',
    quote: 'Each dataset group: "Total number of active solutions." 10 (adjustable)',
    source: DG('limits'),
    basis: 'documented',
    answer: 'LimitExceededException',
    enforcedIn: MODELS,
    kitTest:
      'test/personalize/reconcile.test.ts › the campaign quota (5 per dataset group) is respected with the maximum of five solutions',
  },
  {
    id: 'quota/campaigns',
    operations: 'CreateCampaign',
    rule: 'at most 5 campaigns per dataset group',
    quote: 'Each dataset group: "Total number of active campaigns." 5 (adjustable)',
    source: DG('limits'),
    basis: 'documented',
    answer: 'LimitExceededException',
    enforcedIn: MODELS,
    kitTest:
      'test/personalize/reconcile.test.ts › the campaign quota (5 per dataset group) is respected with the maximum of five solutions',
  },
  // ------------------------------------------------------------------ runtime
  {
    id: 'runtime/filter',
    operations: 'GetRecommendations, GetPersonalizedRanking',
    rule:
      "a filter is an ACTIVE filter of the campaign's dataset group; filterValues hold at most 25 entries, keys of " +
      'letters, digits and "_" up to 50 characters, values up to 1,000 characters; an INCLUDE expression gets a ' +
      'value for each of its parameters (an EXCLUDE expression without one is not applied)',
    quote:
      '"For filter expressions that use an INCLUDE element to include items, you must provide values for all ' +
      'parameters that are defined in the expression. For filters with expressions that use an EXCLUDE element to ' +
      "exclude items, you can omit the filter-values. In this case, Amazon Personalize doesn't use that portion of " +
      'the expression" "Map Entries: Maximum number of 25 items. Key Length Constraints: Maximum length of 50. Key ' +
      'Pattern: [A-Za-z0-9_]+ Value Length Constraints: Maximum length of 1000." (a filter of another group or not ' +
      'yet ACTIVE: the documentation does not name the error; the simulation refuses it)',
    source: API('RS_GetRecommendations'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: RUNTIME,
    kitTest: EVENTS_TEST,
  },
  {
    id: 'runtime/filter-values-quoted',
    operations: 'GetRecommendations, GetPersonalizedRanking',
    rule: 'a string value of a filter parameter is given in double quotes (several values separated by commas)',
    quote:
      'The SDK examples give each string value in escaped double quotes, several separated by commas; what a bare ' +
      'value does is not documented, so the simulation refuses it',
    source: DG('filter-real-time'),
    basis: 'conservative',
    answer: 'InvalidInputException',
    enforcedIn: RUNTIME,
    kitTest: EVENTS_TEST,
  },
  {
    id: 'events/tracker-active',
    operations: 'PutEvents',
    rule: 'the tracking id is that of an ACTIVE event tracker',
    quote:
      '"The event tracker must be in the ACTIVE state before using the tracking ID." (the error is not named: ' +
      'InvalidInputException, the one error PutEvents lists)',
    source: API('CreateEventTracker'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: EVENTS,
    kitTest: EVENTS_TEST,
  },
  {
    id: 'events/shape',
    operations: 'PutEvents',
    rule:
      'eventList holds 1 to 10 events; sessionId, userId, eventType and itemId are 1 to 256 characters; each event ' +
      'has an eventType and a sentAt',
    quote:
      'eventList: "Array Members: Minimum number of 1 item. Maximum number of 10 items." sessionId: "Minimum length ' +
      'of 1. Maximum length of 256. Required: Yes" Event: eventType "Required: Yes", sentAt "Required: Yes"',
    source: API('UBS_PutEvents'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: EVENTS,
    kitTest: EVENTS_TEST,
  },
  {
    id: 'runtime/campaign-active',
    operations: 'GetRecommendations, GetPersonalizedRanking',
    rule: 'a campaign answers only when it exists and is ACTIVE',
    quote:
      '"Wait until the status of the campaign is ACTIVE before asking the campaign for recommendations." (the error ' +
      'for a campaign not yet ACTIVE is not named: ResourceNotFoundException, the other error these operations list)',
    source: API('CreateCampaign'),
    basis: 'documented',
    answer: 'ResourceNotFoundException',
    enforcedIn: RUNTIME,
    kitTest: RUNTIME_TEST,
  },
  {
    id: 'runtime/num-results',
    operations: 'GetRecommendations',
    rule: 'numResults is 1 to 500 (without metadata)',
    quote:
      '"The default is 25. If you are including metadata in recommendations, the maximum is 50. Otherwise, the maximum is 500."',
    source: API('RS_GetRecommendations'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: RUNTIME,
    kitTest: RUNTIME_TEST,
  },
  {
    id: 'runtime/id-for-recipe',
    operations: 'GetRecommendations',
    rule: 'a USER_PERSONALIZATION campaign is asked for a userId, a RELATED_ITEMS (SIMS) campaign for an itemId; a ranking campaign only through GetPersonalizedRanking',
    quote: '"USER_PERSONALIZATION - userId required, itemId not used RELATED_ITEMS - itemId required, userId not used"',
    source: API('RS_GetRecommendations'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: RUNTIME,
    kitTest: RUNTIME_TEST,
  },
  {
    id: 'runtime/ranking',
    operations: 'GetPersonalizedRanking',
    rule: 'the campaign is of a PERSONALIZED_RANKING recipe; the user id is given; the input list holds 1 to 500 item ids',
    quote:
      '"The solution backing the campaign must have been created using a recipe of type PERSONALIZED_RANKING." ' +
      'inputList: "If you are including metadata in recommendations, the maximum is 50. Otherwise, the maximum is 500."',
    source: API('RS_GetPersonalizedRanking'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: RUNTIME,
    kitTest: RUNTIME_TEST,
  },
  {
    id: 'runtime/id-length',
    operations: 'GetRecommendations, GetPersonalizedRanking',
    rule: 'user and item ids are 1 to 256 characters',
    quote: 'userId, itemId: "Maximum length of 256."',
    source: API('RS_GetRecommendations'),
    basis: 'documented',
    answer: 'InvalidInputException',
    enforcedIn: RUNTIME,
    kitTest: RUNTIME_TEST,
  },
];

export type RuleId = (typeof RULES)[number]['id'];

/** The ledger's entry for an id; throws for an id it does not have (a typo in the simulation). */
export function ruleOf(id: string): LedgerRule {
  const rule = RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`the rule ledger has no rule ${id}`);
  return rule;
}

/** The ledger as the Markdown table of `docs/personalize-rule-ledger.md`. */
export function renderLedger(rules: readonly LedgerRule[] = RULES): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '# The rule ledger of the simulated Amazon Personalize',
    '',
    'Generated from `lib/personalize/controller/simulation/ledger.ts` by `npm run ledger`; a test checks it is current.',
    '',
    'Every rule the simulated Personalize enforces, with the documentation it comes from. A call the',
    'simulation refuses always names one of these rules. **documented**: the quoted sentence states',
    'the rule. **conservative**: the documentation is silent on the case (or on the error it returns)',
    'and the simulation takes the stricter reading, so that no test passes where the service might',
    'refuse. `test/personalize/ledger.test.ts` breaks each rule on purpose and checks the refusal; the',
    'scenarios (the last column) check the kit never has a call refused.',
    '',
    '| rule | operations | what is refused or done | the documentation | source | basis | answer | enforced in | the kit meets it in |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rules.map(
      (r) =>
        `| \`${r.id}\` | ${cell(r.operations)} | ${cell(r.rule)} | ${cell(r.quote)} | ${r.source} | ${r.basis} | ${r.answer} | \`${r.enforcedIn}\` | ${cell(r.kitTest)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
