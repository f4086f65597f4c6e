export { ReverseProxy } from "./reverseProxy";
export { renderNginx } from "./render/nginx";
export { renderCaddy } from "./render/caddy";
export type * from "./types";
export { renderSiteRoutes } from "./render/site";
export { SITES_DIR } from "./reverseProxy";
