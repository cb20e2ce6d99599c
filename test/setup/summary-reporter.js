/**
 * Prints one plain closing line that any CI can read: "Tests: N passed, N failed, N skipped".
 * (Jest's own summary says "N total", which readers of other runners do not recognise.) When
 * TEST_SUMMARY_FILE is set, the line is also written there, so .ci/run can repeat it last.
 */
const fs = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `Tests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped`;
    process.stdout.write(`\n${line}\n`);
    if (process.env.TEST_SUMMARY_FILE) fs.writeFileSync(process.env.TEST_SUMMARY_FILE, `${line}\n`);
  }
}
module.exports = SummaryReporter;
