import { readFileSync } from 'node:fs';

/**
 * The package version, read once from the nearest package.json named gomod-trace above this module:
 * one level up from src/version.ts and dist/version.js, two or three from the bundle's files
 * (dist/bundle/, dist/bundle/chunks/).
 */
export const VERSION: string = (() => {
  for (let up = 1; up <= 3; up++) {
    try {
      const url = new URL(`${'../'.repeat(up)}package.json`, import.meta.url);
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'gomod-trace') return pkg.version ?? '0.0.0';
    } catch {
      // Not there: try one level further up.
    }
  }
  return '0.0.0';
})();
