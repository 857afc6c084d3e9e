import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by herald serve under /ui; the build lands in dist/, which the server reads at start.
export default defineConfig({
  base: '/ui/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
});
