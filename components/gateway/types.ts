import type * as pulumi from "@pulumi/pulumi";
import type { EngineFacts, PolicyWaiver, ResourceLimits } from "../shared";

/** One environment behind the gateway. */
export interface GatewayBackend {
  /** The environment's name (dev, staging, prod): for the rendered comments and the vhost order. */
  environment: string;
  /** Host names (the Host header) that belong to this environment; may be empty for the default one. */
  hosts: string[];
  /** The platform API that answers the webhook path, `host:port` on a network the gateway joins. */
  webhookUpstream: string;
  /** The environment's edge proxy (nginx, Caddy or Traefik), `host:port`; everything else goes there. */
  proxyUpstream: string;
}

/** Args of Gateway: a stable Apache httpd in front of one system's environments. */
export interface GatewayArgs {
  /** System name, first part of every engine object name. */
  system: string;
  /** Environment its own objects are named and labelled for (`<system>-<environment>-gateway`). */
  environment: string;
  /** An image with the httpd:2.4 interface (conf/httpd.conf under /usr/local/apache2, port 80). */
  image: pulumi.Input<string>;
  /** Engine network names it joins: where each backend's webhook and proxy upstreams are reachable. */
  networks: pulumi.Input<string>[];
  /** Host port it is published on. */
  httpPort: number;
  /** Host address of the published port. @default "127.0.0.1" */
  listenAddress?: string;
  /** The environments, the default one (for hosts no backend names) first. */
  backends: GatewayBackend[];
  /** Path prefix sent straight to the platform API. @default "/webhook/" */
  webhookPath?: string;
  /** Seconds Apache waits for a backend. @default 30 */
  timeoutSeconds?: number;
  limits?: ResourceLimits;
  /** Dated policy waivers carried as labels (e.g. a gateway that spans environments). */
  waivers?: PolicyWaiver[];
  labels?: Record<string, string>;
  dockerEngine?: EngineFacts;
}
