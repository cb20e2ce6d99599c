/**
 * `npm run ledger`: writes docs/personalize-rule-ledger.md from the rule ledger
 * (lib/personalize/controller/simulation/ledger.ts). test/personalize/ledger.test.ts fails while
 * the committed file differs.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderLedger } from '../lib/personalize/controller/simulation/ledger';

const file = path.join(__dirname, '..', 'docs', 'personalize-rule-ledger.md');
writeFileSync(file, renderLedger());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
