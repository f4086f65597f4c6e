/**
 * The CEP admin dashboard, image ghcr.io/solaria-agency/cep-admin:{tag}:
 * Next.js 15 (seed 004) on port 3001, with output "standalone" (server.js
 * reads PORT and HOSTNAME, packages/next/src/build/utils.ts). The image is
 * private; its interface is the seed's (port 3001, behind nginx at /admin)
 * plus standard Next standalone. Served under a path, a Next app is built with
 * `basePath: "/admin"` (Next's docs, next.config.js basePath): its pages and
 * its /admin/_next/static assets all carry the prefix, so the proxy routes
 * /admin to it without stripping (stripped, the page's /_next/static requests
 * would reach the frontend). It reads the CMS's REST API on the server
 * (NEXT_PUBLIC_API_URL), no database and no secrets. Health: /admin with
 * busybox wget upstream, Debian's wget locally.
 * Locally: shipyard/cep-admin (images/cep-admin), a real Next.js 15 app.
 */
export const adminImages = {
  admin: { upstream: "ghcr.io/solaria-agency/cep-admin:{tag}", local: "shipyard/cep-admin:bookworm" },
};

export const admin = {
  name: "admin",
  image: "admin",
  port: 3001,
  env: {
    NEXT_PUBLIC_API_URL: "http://cms:3002/api",
    PORT: "3001",
    HOSTNAME: "0.0.0.0",
  },
  health: {
    command: ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3001/admin"],
    interval: "10s",
    timeout: "5s",
    retries: 6,
    startPeriod: "20s",
  },
  memoryMb: 256,
  networks: ["external"],
  dependsOn: ["cms"],
  routes: [{ host: "{host}", path: "/admin" }],
};
