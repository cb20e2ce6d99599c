import { Duration } from 'aws-cdk-lib';
import { MOVIELENS_EDITIONS, type MovieLensEdition } from '../config';

/**
 * How long a web instance may take to start, per MovieLens edition: how long it waits for its own
 * site to answer /healthz, how long CloudFormation waits for its signal, and how long the Auto
 * Scaling group keeps the load balancer's health check off it. All three follow from the numbers
 * below, so they cannot drift apart.
 *
 * Measured with `npx tsx bench/first-start.ts` on this project's 2-core x86 machine (Node 20, local
 * PostgreSQL 15, other test runs sharing the cores): synthetic data of each edition's shape, the
 * instance bundle under plain node with the instance's heap, seconds from the process's start
 * until /healthz answered, the slowest of a first start (empty database: migrate, load, train), a
 * restart (train only) and a new data revision (the old rows deleted, the new loaded, then train).
 * See the README (Deploy to AWS) for the figures.
 */
export const MEASURED_START_SECONDS: Readonly<Record<MovieLensEdition, number>> = {
  'ml-100k': 3,
  'ml-latest-small': 4,
  'ml-25m': 333,
};

/**
 * How much slower a start on AWS is taken to be than the measurement. Not measured (no AWS
 * account): a Graviton2 vCPU (t4g) is taken as up to twice as slow as this machine's for Node, and
 * the load runs against a db.t4g.micro (2 burstable vCPUs, 1 GiB of memory, gp3 storage, over the
 * network) instead of a local server with 24 GiB of page cache: taken as up to five times as slow.
 * The load was a third (first start) to two thirds (new data revision) of the ml-25m start here,
 * so the two together come to 3 to 4 times.
 */
export const INSTANCE_SLOWDOWN = 4;

/** Head room on top of the estimate: the instance gives up only well after the expected start. */
export const START_MARGIN = 1.5;

/** Booting, the package installs and the bundle's download, before the app starts. */
export const BOOT_ALLOWANCE = Duration.minutes(5);

/**
 * The least health wait, whatever the edition: the kit's wait before the measurement. The small
 * editions start in seconds; this leaves a slow package mirror or a database still warming room.
 */
export const MIN_HEALTH_WAIT = Duration.minutes(15);

/**
 * The longest readiness timeout the kit accepts. The grace period equals it; the Auto Scaling
 * pages read here state no maximum for the grace period, so two hours is kept as a bound that no
 * edition comes near (ml-25m needs 39 minutes). CloudFormation's own limit on a
 * ResourceSignal timeout, 12 hours, is documented (CreationPolicy attribute) and further off.
 */
export const MAX_READINESS_TIMEOUT = Duration.seconds(7200);

/** The edition whose start takes longest: the wait when the edition is not known. */
export const SLOWEST_EDITION: MovieLensEdition = MOVIELENS_EDITIONS.reduce((slowest, edition) =>
  MEASURED_START_SECONDS[edition] > MEASURED_START_SECONDS[slowest] ? edition : slowest,
);

/** How long an instance waits for its site to answer /healthz before it signals failure. */
export function healthWaitFor(edition: MovieLensEdition): Duration {
  const estimateMinutes = Math.ceil((MEASURED_START_SECONDS[edition] * INSTANCE_SLOWDOWN * START_MARGIN) / 60);
  return Duration.minutes(Math.max(MIN_HEALTH_WAIT.toMinutes(), estimateMinutes));
}

/** How long CloudFormation waits for each new instance's signal: the boot, then the health wait. */
export function readinessTimeoutFor(edition: MovieLensEdition): Duration {
  return Duration.minutes(BOOT_ALLOWANCE.toMinutes() + healthWaitFor(edition).toMinutes());
}

/** Problems with a readiness timeout, one sentence each (none: it is usable). */
export function readinessTimeoutProblems(timeout: Duration): string[] {
  if (timeout.isUnresolved()) return [];
  const seconds = timeout.toSeconds();
  const least = BOOT_ALLOWANCE.toSeconds() + 30;
  const problems: string[] = [];
  if (seconds < least) {
    problems.push(
      `readinessTimeout must be at least ${least} s (the ${BOOT_ALLOWANCE.toSeconds()} s boot allowance and a 30 s health wait), got ${seconds} s`,
    );
  }
  if (seconds > MAX_READINESS_TIMEOUT.toSeconds()) {
    problems.push(
      `readinessTimeout must be at most ${MAX_READINESS_TIMEOUT.toSeconds()} s (the Auto Scaling group's health check grace period equals it), got ${seconds} s`,
    );
  }
  return problems;
}
