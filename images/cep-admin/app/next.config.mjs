import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Served behind the proxy at /admin without prefix stripping: pages, links and
  // /admin/_next/static assets all carry the base path (Next's docs, basePath).
  basePath: "/admin",
  // .next/standalone/server.js with the traced node_modules, as the image runs it.
  output: "standalone",
  outputFileTracingRoot: dirname(fileURLToPath(import.meta.url)),
  poweredByHeader: false,
};

export default nextConfig;
