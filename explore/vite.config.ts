// The explorer page: `npm run explore` serves it, `npm run explore:build`
// writes a static build to dist-explore/ with relative asset paths, so it
// opens from any static host or sub-directory.
import { defineConfig } from 'vite';

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: './',
  server: { host: 'localhost', fs: { allow: ['..'] } },
  build: { outDir: '../dist-explore', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
});
