/**
 * Builds the staff board page into web/dist (`npm run build:web`), which the local gateway serves
 * at `/`. No React plugin: Vite's own Oxc transform compiles the JSX; the page needs no fast refresh.
 * `npx vite web` serves the sources instead, passing API calls to the signing proxy of `npm start`.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  oxc: { jsx: { runtime: 'automatic' } },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
