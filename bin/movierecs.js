#!/usr/bin/env node
// The `movierecs` command (package.json "bin", so `npx movierecs <command>`): the TypeScript CLI in
// cli/, run through tsx as the npm scripts run it.
require('tsx/cjs/api').register();
// Before the CLI and its dependencies load: on a Node older than the supported lines, one line
// saying which version it needs, and exit 1 (lib/shared/node-version.ts imports nothing).
require('../lib/shared/node-version.ts').exitUnlessSupportedNode('movierecs');
require('../cli/main.ts').runFromProcess();
