import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// Everything is bundled into dist/ (the Tauri frontendDist): no CDN, no
// remote fonts, nothing fetched at run time.
export default defineConfig({
  plugins: [react()],
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", assetsInlineLimit: 0 },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
