import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

// The dev server (vite / wails dev) injects CSS as <style> elements and talks
// to its HMR client over a WebSocket; relax the CSP for `serve` only. Release
// builds keep index.html's policy unchanged.
function devCSP(): Plugin {
  return {
    name: 'sharedvault-dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws: wails:");
    },
  };
}

export default defineConfig({
  plugins: [devCSP()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
  },
});
