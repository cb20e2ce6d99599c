/**
 * Names both sides agree on: the infrastructure that grants access and the runtime code that
 * uses it. Pure functions of the prefix, free of aws-cdk-lib.
 */

/** Stack names: `<prefix>-Data`, `<prefix>-Personalize`, `<prefix>-Web`. */
export function stackName(prefix: string, stack: 'Data' | 'Personalize' | 'Web'): string {
  return `${prefix}-${stack}`;
}

/**
 * The model registry: one SSM parameter holding the campaigns the web app can use. Written by
 * the Personalize controller, read by the web tier by name (never through a stack export), so
 * the Web stack does not depend on the Personalize stack.
 */
export function modelRegistryParameterName(prefix: string): string {
  return `/${prefix}/models`;
}

/**
 * Every Personalize resource this copy of the workshop creates is named `<prefix>-<name>`, so
 * IAM policies can scope to `<type>/<prefix>-*` and teardown never touches another copy's
 * resources.
 */
export function personalizeResourceName(prefix: string, name: string): string {
  return `${prefix}-${name}`;
}

/** Key prefixes in the data bucket: who writes there and who reads. */
export const DATA_KEY_PREFIXES = {
  /** Personalize CSVs and schemas: written by the MovieLens preparation, read by import jobs. */
  personalize: 'personalize/',
  /** Web database load files: written by the MovieLens preparation, read by the web instances. */
  web: 'web/',
} as const;

/** The web app's port on the instances; the load balancer forwards to it. */
export const APP_PORT = 8000;
/** Health check path served by the app. */
export const HEALTH_CHECK_PATH = '/healthz';
/** Site paths named in stack outputs. */
export const APP_PATHS = { recommend: '/recommend/', admin: '/admin/' } as const;
