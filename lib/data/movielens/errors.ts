/** A problem in an input file, named by file and line so the user can find it. */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(line === undefined ? `${file}: ${problem}` : `${file}, line ${line}: ${problem}`, options);
    this.name = 'DataFileError';
  }
}

/** The output folder holds something the writer refuses to write through (a planted link). */
export class OutputLocationError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'OutputLocationError';
  }
}

/** The prepared data is too small for Amazon Personalize to train on. */
export class BelowPersonalizeMinimumError extends Error {
  constructor(
    readonly minimum: string,
    readonly required: number,
    readonly actual: number,
  ) {
    super(
      `The prepared interactions are below Amazon Personalize's minimum: ${minimum}: need ${required}, got ${actual}`,
    );
    this.name = 'BelowPersonalizeMinimumError';
  }
}

/** A line that was skipped, or read with a warning, as recorded in the manifest. */
export interface SkippedLine {
  readonly file: string;
  readonly line: number;
  readonly problem: string;
}

/**
 * Where bad lines go: thrown (the default) or counted and skipped, keeping the first few as
 * examples for the manifest.
 */
export class BadLinePolicy {
  static readonly EXAMPLES_KEPT = 20;
  count = 0;
  readonly examples: SkippedLine[] = [];

  constructor(readonly skip: boolean) {}

  report(file: string, line: number, problem: string): void {
    if (!this.skip) throw new DataFileError(file, line, problem);
    this.count++;
    if (this.examples.length < BadLinePolicy.EXAMPLES_KEPT) this.examples.push({ file, line, problem });
  }
}

/**
 * Lines read with a field taken as missing: the field only feeds a fallback (u.item's release
 * date stands in for a title without a year), so an odd value never fails a deploy. Counted, with
 * the first few kept as examples for the manifest.
 */
export class DataWarnings {
  static readonly EXAMPLES_KEPT = 20;
  count = 0;
  readonly examples: SkippedLine[] = [];

  report(file: string, line: number, problem: string): void {
    this.count++;
    if (this.examples.length < DataWarnings.EXAMPLES_KEPT) this.examples.push({ file, line, problem });
  }
}
