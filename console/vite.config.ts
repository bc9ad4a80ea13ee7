// The console's build: Preact through Vite, served by `latch serve` at /console from dist/console.

import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/console/",
  // Vite 8 transforms with Oxc: JSX compiles to Preact's automatic runtime, no plugin needed.
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: fileURLToPath(new URL("../dist/console/", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    // The server's Content-Security-Policy allows no inline script: every module is a file.
    modulePreload: { polyfill: false },
  },
});
