// Vite config for the Overture web UI.
// No @vitejs/plugin-react: esbuild's automatic JSX runtime is all the build needs
// (we give up React Fast Refresh in dev; a full reload is fine for an admin UI).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
      '/healthz': { target: 'http://127.0.0.1:8080' },
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: {
      // Mantine marks its modules "use client" (for React Server Components); harmless in a SPA.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      output: {
        // Libraries in their own long-cached chunks; app code changes more often.
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (/node_modules\/(react|react-dom|scheduler|react-router|cookie|set-cookie-parser)\//.test(id)) return 'react';
          if (id.includes('node_modules/@mantine/')) return 'mantine';
          // The MJML compiler (1.3 MB) loads only when the email editor's MJML mode needs it.
          if (id.includes('node_modules/mjml-browser/')) return 'mjml';
          // ECharts (with its renderer zrender) loads only when a report draws its first chart.
          if (/node_modules\/(echarts|zrender)\//.test(id)) return 'echarts';
          // React Flow (with its d3 helpers and store) loads only when a workflow canvas opens.
          if (/node_modules\/(@xyflow|d3-[a-z-]+|zustand|classcat)\//.test(id)) return 'xyflow';
          return 'vendor';
        },
      },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
