/**
 * Builds the bundle the instances run: one CommonJS file with the server, the migrations and the
 * static assets (they are strings in static/assets.ts), and no native modules, so a bundle built on
 * an x64 laptop runs on arm64 Graviton instances. PGlite and the sample generator stay out: an
 * instance always has a database URL and the prepared data in S3 (start.ts loads them lazily).
 *
 *   npx tsx app-src/build.ts [out folder]     # default dist/app
 */
import { build } from 'esbuild';
import * as path from 'node:path';

export const APP_BUNDLE_FILE = 'app.js';

export async function buildAppBundle(outDir: string): Promise<string> {
  const outfile = path.join(outDir, APP_BUNDLE_FILE);
  await build({
    entryPoints: [path.join(__dirname, 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    // Amazon Linux 2023's nodejs22; Node 20 on laptops.
    target: 'node20',
    format: 'cjs',
    // pg's optional native binding and the embedded database are never used on an instance.
    external: ['pg-native', '@electric-sql/pglite', '@electric-sql/pglite-socket'],
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outfile;
}

if (require.main === module) {
  const out = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'dist', 'app'));
  buildAppBundle(out).then(
    (file) => console.log(`built ${file}`),
    (error: Error) => {
      console.error(`build failed: ${error.message}`);
      process.exit(1);
    },
  );
}
