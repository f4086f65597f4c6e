/**
 * The CEP public site, image ghcr.io/solaria-agency/cep-frontend:{tag}: Next.js
 * 16 (seed 004) with output "standalone", run as Next's standalone server.js
 * runs (packages/next/src/build/utils.ts writes it: PORT, default 3000, and
 * HOSTNAME, default 0.0.0.0; Next's with-docker example: WORKDIR /app,
 * `node server.js` behind the node image's docker-entrypoint.sh). The image is
 * private, so its interface is the seed's (NEXT_PUBLIC_API_URL=http://cms:3002/api,
 * PORT=3000, HOSTNAME=0.0.0.0) plus standard Next standalone; pages are
 * rendered on the server from the CMS's REST API, so the frontend joins the
 * network it shares with the CMS. No secrets, so the image's own entrypoint and
 * command run. Health: `/` with busybox wget (node:alpine) upstream, Debian's
 * wget locally. Locally: shipyard/cep-frontend (images/cep-frontend), a real
 * Next.js 16.0.1 app.
 */
export const frontendImages = {
  frontend: {
    upstream: "ghcr.io/solaria-agency/cep-frontend:{tag}",
    local: "shipyard/cep-frontend:bookworm",
  },
};

export const frontend = {
  name: "frontend",
  image: "frontend",
  port: 3000,
  env: {
    NEXT_PUBLIC_API_URL: "http://cms:3002/api",
    PORT: "3000",
    HOSTNAME: "0.0.0.0",
  },
  health: {
    command: ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/"],
    interval: "10s",
    timeout: "5s",
    retries: 6,
    startPeriod: "20s",
  },
  memoryMb: 256,
  networks: ["external"],
  dependsOn: ["cms"],
  routes: [{ host: "{host}" }],
};
