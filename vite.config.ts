import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

/**
 * The web lab (src/web) built into web-dist/, which `gibbslab serve` serves. The page's task
 * presets are the files of examples/, read here at build time, so the browser offers exactly the
 * files a user can pass to the CLI.
 */
const examplesDir = new URL('./examples/', import.meta.url);
const examples = readdirSync(examplesDir)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort()
  .map((file) => ({ file, text: readFileSync(new URL(file, examplesDir), 'utf8') }));

export default defineConfig({
  root: 'src/web',
  // Relative asset URLs: the page works wherever it is served from.
  base: './',
  define: { __GIBBSLAB_EXAMPLES__: JSON.stringify(examples) },
  worker: { format: 'es' },
  build: {
    outDir: '../../web-dist',
    emptyOutDir: true,
    // vega + vega-lite are one ~1.5 MB chunk, loaded lazily on the first plot; no need to warn.
    chunkSizeWarningLimit: 2500,
  },
  logLevel: 'warn',
});
