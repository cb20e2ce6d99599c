/**
 * The Node.js versions the kit supports: the maintained LTS lines, 22 (from 22.12, which loads
 * ES modules with `require`, as commander 15 and Kysely 0.29 need) and 24. package.json "engines"
 * says the same (test/shared/node-version.test.ts keeps them together). The entry points
 * (app-src/main.ts, bin/movierecs.js) check it before they load anything that would fail on an
 * older Node with a less useful message. Nothing here may import a dependency.
 */

/** The oldest Node.js the kit runs on. */
export const MINIMUM_NODE = { major: 22, minor: 12 } as const;

/** package.json "engines.node", from MINIMUM_NODE. */
export const NODE_ENGINES = `>=${MINIMUM_NODE.major}.${MINIMUM_NODE.minor}.0`;

/**
 * The one line to print and exit on when `version` (process.versions.node, e.g. "20.20.2") is
 * older than MINIMUM_NODE; undefined when it is recent enough. `program` names what refuses to
 * run ("npm start", "movierecs").
 */
export function nodeVersionProblem(version: string, program: string): string | undefined {
  const match = /^v?(\d+)\.(\d+)\./.exec(version);
  const major = match ? Number(match[1]) : NaN;
  const minor = match ? Number(match[2]) : NaN;
  if (major > MINIMUM_NODE.major || (major === MINIMUM_NODE.major && minor >= MINIMUM_NODE.minor)) return undefined;
  return (
    `${program} needs Node.js ${MINIMUM_NODE.major}.${MINIMUM_NODE.minor} or newer (22 or 24 LTS), ` +
    `this is Node.js ${version.replace(/^v/, '')}: install it, or run \`npm run node:fetch\` ` +
    `and put .tools/node/bin first on PATH`
  );
}

/** Prints the problem on stderr and exits 1 when this Node is too old. */
export function exitUnlessSupportedNode(program: string): void {
  const problem = nodeVersionProblem(process.versions.node, program);
  if (problem === undefined) return;
  console.error(problem);
  process.exit(1);
}
