import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  // SvelteKit needs cookie 0.6 (its own nested copy); the root's cookie 2 (fastify's) has other exports, so bundle it.
  ssr: { noExternal: ['cookie'] },
  // The server code imports the project's folders (research/, data/, model-servers/) one level up.
  server: { host: '127.0.0.1', port: 5173, strictPort: false, fs: { allow: ['..'] } },
});
