/**
 * The one entry point of the web app, for `npm start` (through tsx) and for the bundle the
 * instances run (`node app.js`, built by app-src/build.ts). Only this file acts when loaded: in a
 * bundle every module shares one `module`, so no other file may test `require.main === module`.
 *
 *   npm start -- [options]     # the local workshop (server.ts)
 *   node app.js [options]      # the same from the bundle, with --database-url (it has no PGlite)
 *   node app.js instance       # on an instance: settings from the environment and AWS (instance.ts)
 */
import { runInstance } from './instance';
import { main } from './server';

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === 'instance') {
    void runInstance(process.env);
  } else {
    main(args).then(
      (code) => process.exit(code),
      (error: Error) => {
        console.error(`npm start failed: ${error.message}`);
        if (process.env.DEBUG) console.error(error.stack);
        process.exit(1);
      },
    );
  }
}
