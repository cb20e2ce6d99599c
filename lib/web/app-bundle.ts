import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { APP_BUNDLE_FILE, buildAppBundleSync } from '../../app-src/build';

export interface AppBundleProps {
  /**
   * A folder holding an already built bundle (`app.js`, its source map), used as is.
   * @default - the app is built from app-src/ at synth
   */
  readonly prebuilt?: string;
}

/** The folder app-src/ is built into once per process (synth builds every stack in one process). */
let builtOnce: string | undefined;

function builtBundle(): string {
  if (!builtOnce) {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'movierecs-app-bundle-'));
    buildAppBundleSync(folder);
    builtOnce = folder;
  }
  return builtOnce;
}

/**
 * The web app as the instances run it: app-src/ bundled by esbuild into one `app.js` (no native
 * modules, so it runs on arm64 and x64 alike), uploaded as a zip asset. The asset is named by a hash
 * of the built output, so a change anywhere in what the app bundles (its code or a dependency) is a
 * new object key, a new launch template version and a replacing update; a change elsewhere is not.
 * Built locally (no Docker) with the same options as `npm run build:app`.
 */
export class AppBundle extends Construct {
  readonly asset: s3assets.Asset;
  /** The file to run, inside the unpacked zip. */
  readonly entryFile = APP_BUNDLE_FILE;

  constructor(scope: Construct, id: string, props: AppBundleProps = {}) {
    super(scope, id);
    const prebuilt = props.prebuilt;
    if (prebuilt !== undefined && !fs.existsSync(path.join(prebuilt, APP_BUNDLE_FILE))) {
      throw new Error(`AppBundle: ${prebuilt} holds no ${APP_BUNDLE_FILE}`);
    }
    this.asset = new s3assets.Asset(this, 'Asset', {
      path: prebuilt ?? path.join(__dirname, '..', '..', 'app-src'),
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Required by the type; never pulled, since local bundling always succeeds or throws.
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
        local: {
          tryBundle(outputDir: string): boolean {
            const source = prebuilt ?? builtBundle();
            for (const file of fs.readdirSync(source)) {
              fs.copyFileSync(path.join(source, file), path.join(outputDir, file));
            }
            return true;
          },
        },
      },
    });
  }
}
