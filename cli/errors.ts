/**
 * How the CLI ends: 0 done, 1 failed (the message says why and what to do), 2 usage (a wrong or
 * missing option; the message names it and the value, and what is allowed). No stack trace for
 * anything a user did; `--debug` prints it.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A wrong or missing option: exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The job could not be done, for a reason the message states: exit 1, no stack trace. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
}

/**
 * AWS errors a presenter meets, said with what to do. Returns undefined for anything else.
 * Names and messages as the AWS SDK for JavaScript v3 reports them (credential-provider and
 * service exceptions).
 */
export function explainAwsError(error: unknown, region: string): string | undefined {
  const e = error as { name?: string; message?: string; Code?: string };
  const name = e.name ?? '';
  const message = e.message ?? '';
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return 'no AWS credentials found: run aws configure (or aws sso login --profile <name> and set AWS_PROFILE), then try again';
  }
  if (/token.*(expired|refresh)|SSO session.*(expired|invalid)|ExpiredToken/i.test(`${name} ${message}`)) {
    return `your AWS session has expired (${message.split('\n')[0]}): run aws sso login (or refresh your credentials), then try again`;
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnauthorizedOperation') {
    const action = /not authorized to perform: ([\w-]+:\w+)/.exec(message)?.[1];
    return action
      ? `your credentials may not call ${action} (${message.split('\n')[0]}); use credentials that allow it`
      : `access denied: ${message.split('\n')[0]}`;
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidClientTokenId') {
    return `AWS does not recognise these credentials in ${region} (${message.split('\n')[0]}): check the account, the keys and that ${region} is enabled for it`;
  }
  if (name === 'ENOTFOUND' || /getaddrinfo ENOTFOUND/.test(message)) {
    return `cannot reach AWS in ${region} (${message.split('\n')[0]}): check the region (-c region=…) and the network`;
  }
  return undefined;
}
