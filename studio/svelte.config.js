import adapter from '@sveltejs/adapter-node';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const node = adapter({ out: fileURLToPath(new URL('./build', import.meta.url)), precompress: false });

/** @type {import('@sveltejs/kit').Config} */
export default {
  kit: {
    typescript: {
      // The server code imports data/, whose lz4js has only the declaration file beside it.
      config(config) {
        config.include.push('../../data/import/lz4js.d.ts');
      },
    },
    // adapter-node reads ./package.json to keep the dependencies external (DuckDB and onnxruntime are native);
    // Xylen is one npm package whose package.json is at the repository root, so it adapts from there.
    adapter: {
      ...node,
      async adapt(builder) {
        const cwd = process.cwd();
        process.chdir(repoRoot);
        try {
          await node.adapt(builder);
        } finally {
          process.chdir(cwd);
        }
      },
    },
  },
};
