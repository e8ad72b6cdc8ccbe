'use strict';
// Spec reporter plus the plain closing line CI recognises: "N passed, N failed, N skipped".
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats ?? {};
      const line = `${s.passes ?? 0} passed, ${s.failures ?? 0} failed, ${s.pending ?? 0} skipped\n`;
      process.stdout.write(line);
      // npm test runs the coverage gate after mocha; it repeats this line last (scripts/check-coverage.ts).
      if (process.env.MOCHA_SUMMARY_FILE) require('node:fs').writeFileSync(process.env.MOCHA_SUMMARY_FILE, line);
    });
  }
}
module.exports = SummaryReporter;
