#!/usr/bin/env node
// The `movierecs` command (package.json "bin", so `npx movierecs <command>`): the TypeScript CLI in
// cli/, run through tsx as the npm scripts run it.
require('tsx/cjs/api').register();
require('../cli/main.ts').runFromProcess();
