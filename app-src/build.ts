/**
 * Builds the bundle the instances run: one CommonJS file with the server, the migrations and the
 * static assets (they are strings in static/assets.ts), and no native modules, so a bundle built on
 * an x64 laptop runs on arm64 Graviton instances. PGlite and the sample generator stay out: an
 * instance always has a database URL and the prepared data in S3 (start.ts loads them lazily).
 *
 *   npx tsx app-src/build.ts [out folder]     # default dist/app
 */
import { build, buildSync, BuildOptions } from 'esbuild';
import * as path from 'node:path';

export const APP_BUNDLE_FILE = 'app.js';

/** The one set of esbuild options, for the async build (this script) and the synth-time one (lib/web). */
function bundleOptions(outDir: string): BuildOptions & { outfile: string } {
  return {
    entryPoints: [path.join(__dirname, 'main.ts')],
    outfile: path.join(outDir, APP_BUNDLE_FILE),
    bundle: true,
    platform: 'node',
    // Amazon Linux 2023's nodejs22 on the instances; 22 or 24 on laptops (lib/shared/node-version.ts).
    target: 'node22',
    format: 'cjs',
    // pg's optional native binding and the embedded database are never used on an instance.
    external: ['pg-native', '@electric-sql/pglite', '@electric-sql/pglite-socket'],
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  };
}

export async function buildAppBundle(outDir: string): Promise<string> {
  const options = bundleOptions(outDir);
  await build(options);
  return options.outfile;
}

/** The same build, synchronously: CDK's local bundling (lib/web/app-bundle.ts) cannot wait. */
export function buildAppBundleSync(outDir: string): string {
  const options = bundleOptions(outDir);
  buildSync(options);
  return options.outfile;
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
