import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { chunkFileName, EDITOR_CHUNK_PREFIX } from './client/src/chunks';

/**
 * Preloads the app's boot chunk and every chunk it imports, from index.html. main.tsx imports boot.tsx
 * dynamically (after csp.ts has configured zod), so without these links the browser would ask for them
 * only once the entry had arrived and run: a round trip more on every cold load. A modulepreload fetches
 * and compiles a module but does not run it, so the order main.tsx sets still holds.
 */
function preloadBoot(): Plugin {
  return {
    name: 'mofang-preload-boot',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return;
        const boot = Object.values(bundle).find((c) => c.type === 'chunk' && c.facadeModuleId?.replace(/\\/g, '/').endsWith('/client/src/boot.tsx'));
        if (!boot) throw new Error('preloadBoot: no chunk for client/src/boot.tsx');
        const known = new Set([ctx.chunk?.fileName, ...(ctx.chunk?.imports ?? [])]);
        const files: string[] = [];
        const visit = (file: string) => {
          const chunk = bundle[file];
          if (known.has(file) || chunk?.type !== 'chunk') return;
          known.add(file);
          files.push(file);
          chunk.imports.forEach(visit);
        };
        visit(boot.fileName);
        return files.map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` }, injectTo: 'head' as const }));
      },
    },
  };
}

/**
 * The canvas app: built into dist/client, which the server serves for `npm start`. Chunks with editor or
 * chart code carry a prefix in their file names (client/src/chunks.ts), and so do Monaco's workers (the only
 * workers, loaded by the editor alone): a page's requests then show whether it loaded any of them.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./client', import.meta.url)),
  plugins: [react(), preloadBoot()],
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
