export { ReverseProxy } from "./reverseProxy";
export { renderNginx } from "./render/nginx";
export { renderCaddy } from "./render/caddy";
export type * from "./types";
export { renderSiteRoutes } from "./render/site";
export { SITES_DIR } from "./reverseProxy";
export { edgeNetwork, edgeRouting } from "./edgeNetwork";
export { traefikLabels, edgeNetworkName, EDGE_LABEL, type EdgeRouting } from "./traefikLabels";
export { renderTraefik } from "./render/traefik";
