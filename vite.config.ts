import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { chunkFileName, EDITOR_CHUNK_PREFIX } from './client/src/chunks';

/**
 * The canvas app: built into dist/client, which the server serves for `npm start`. Chunks with editor or
 * chart code carry a prefix in their file names (client/src/chunks.ts), and so do Monaco's workers (the only
 * workers, loaded by the editor alone): a page's requests then show whether it loaded any of them.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./client', import.meta.url)),
  plugins: [react()],
  resolve: { alias: { '@shared': fileURLToPath(new URL('./shared/src', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('./dist/client', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 5000,
    rolldownOptions: { output: { chunkFileNames: chunkFileName } },
  },
  worker: { rolldownOptions: { output: { entryFileNames: `assets/${EDITOR_CHUNK_PREFIX}[name]-[hash].js`, chunkFileNames: `assets/${EDITOR_CHUNK_PREFIX}[name]-[hash].js` } } },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
