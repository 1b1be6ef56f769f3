import { existsSync, symlinkSync } from 'node:fs';
import path from 'node:path';

/** The repository root (this file runs from dist-bench/bench/drills/). */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** dist-bench/, where tsconfig.bench.json puts the compiled src/ next to bench/. */
const BUILD_ROOT = path.resolve(__dirname, '../..');

/**
 * src/paths.ts finds the proto and the template catalogue one level above the compiled src/,
 * i.e. in dist-bench/. Symlinks to the repository's proto/ and templates/ let the compiled
 * codec (client, stand-in and the notifier child) load the very file Pub/Sub and BigQuery
 * use, and the notifier child its catalogue.
 */
export function linkPackageFiles(): void {
  for (const dir of ['proto', 'templates']) {
    const link = path.join(BUILD_ROOT, dir);
    if (!existsSync(link)) symlinkSync(path.join(REPO_ROOT, dir), link, 'dir');
  }
}
