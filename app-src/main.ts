/**
 * The one entry point of the web app, for `npm start` (through tsx) and for the bundle the
 * instances run (`node app.js`, built by app-src/build.ts). Only this file acts when loaded: in a
 * bundle every module shares one `module`, so no other file may test `require.main === module`.
 *
 *   npm start -- [options]     # the local workshop (server.ts)
 *   node app.js [options]      # the same from the bundle, with --database-url (it has no PGlite)
 *   node app.js instance       # on an instance: settings from the environment and AWS (instance.ts)
 */
import { exitUnlessSupportedNode } from '../lib/shared/node-version';

if (require.main === module) {
  // First, before the server and its dependencies load (import() below): on a Node older than the
  // supported lines, one line saying which version it needs, and exit 1.
  exitUnlessSupportedNode('npm start');
  const args = process.argv.slice(2);
  if (args[0] === 'instance') {
    void import('./instance.js').then(({ runInstance }) => runInstance(process.env));
  } else {
    import('./server.js')
      .then(({ main }) => main(args))
      .then(
        (code) => process.exit(code),
        (error: Error) => {
          console.error(`npm start failed: ${error.message}`);
          if (process.env.DEBUG) console.error(error.stack);
          process.exit(1);
        },
      );
  }
}
