/** What `resolve()` takes and what it gives: the components' plain, per-environment arguments. */
import type {
  CacheSpec,
  DatabaseServerSpec,
  DataNetworkSpec,
  ObjectStoreSpec,
} from "../../components/database/types";
import type { JobSpec, ServiceSpec } from "../../components/app/types";
import type { PolicyWaiver } from "../../components/shared";
import type { ProxyKind, ProxyTls, RateLimit, TlsMode } from "../../components/proxy/types";
import type { ResolvedVerify } from "../backupVerify";
import type { AlertDelivery } from "../alerts";
import type { MailRelay, MailSetting } from "../mail";
import type { z } from "zod";
import type { Thresholds } from "../schema";
import type { Environment } from "../schema";

export type ImageSet = "upstream" | "local";

export interface ResolveOptions {
  environment: Environment;
  imageSet: ImageSet;
  /** Image key -> image, overriding the image set. */
  images?: Record<string, string>;
  /** Replaces the blueprint's name in engine object names. */
  systemName?: string;
  /** Resolve one per-customer site too. */
  site?: SiteRef;
  /** The proxy's host port, over the blueprint's (`shipyard:httpPort`). */
  httpPort?: number;
  /** Another proxy kind than the blueprint's, same routes; its image is the blueprint's image of that key (`shipyard:proxyKind`). */
  proxyKind?: ProxyKind;
  /** Extra environment for every app service (`shipyard:appEnv`). */
  appEnv?: Record<string, string>;
  /** Replica count per app service of this environment, over the blueprint's (`shipyard:replicas`). */
  replicas?: Record<string, number>;
  /** The SMTP relay of this environment (`shipyard:mail`); absent: the dev sink in dev, none elsewhere. */
  mail?: MailSetting;
}

/** A per-customer site: `customer` and `app` name it, `domain` routes to it. */
export interface SiteRef {
  customer: string;
  app: string;
  domain: string;
}

export interface ResolvedSite {
  /** `<customer>-<app>`: the site's system name. */
  name: string;
  domain: string;
  network: string;
  networkWaivers?: PolicyWaiver[];
  servers: DatabaseServerSpec[];
  services: ServiceSpec[];
}

export interface ResolvedSystem {
  system: string;
  environment: Environment;
  /** Pulumi stack names of the layers. */
  stacks: { data: string; app: string };
  /** Image key -> the image chosen for this environment. */
  images: Record<string, string>;
  /** Whether the blueprint has per-customer sites, and the one asked for. */
  sitesEnabled: boolean;
  site?: ResolvedSite;
  /** The blueprint's data refresh rule, database names filled for this environment. */
  refresh?: {
    from: Environment;
    to: Environment;
    server: string;
    scrub: Record<string, Record<string, Record<string, string>>>;
  };
  data: {
    networks: DataNetworkSpec[];
    servers: DatabaseServerSpec[];
    caches: CacheSpec[];
    objectStores: ObjectStoreSpec[];
    /** Generated application secrets (refs `app/<name>`). */
    secrets: { name: string; length: number }[];
    /** Secrets only the operator has (refs `operator/<name>`), with whether this environment requires them. */
    operatorSecrets: { name: string; description: string; required: boolean }[];
  };
  app: {
    services: ServiceSpec[];
    jobs: JobSpec[];
    proxy: {
      kind: ProxyKind;
      image: string;
      networks: string[];
      httpPort: number;
      /** The blueprint's TLS mode for this environment (`shipyard:tls` may override it). */
      tlsMode: TlsMode;
      /** The TLS the proxy serves, once the stack config is applied (stacks/config.ts loadStack). */
      tls?: ProxyTls;
      /** Host port of the proxy's HTTPS, when `tls` is on (stacks/config.ts loadStack). */
      httpsPort?: number;
      /** Kind nginx: lego's image (the ACME client beside it), when the blueprint names one. */
      acmeClientImage?: string;
      securityHeaders?: boolean;
      headers?: Record<string, string>;
      maxBodyMb?: number;
      rateLimit?: RateLimit;
      waivers?: PolicyWaiver[];
    };
    monitoring?: {
      prometheusImage: string;
      alertmanagerImage: string;
      nodeExporterImage?: string;
      cadvisorImage?: string;
      lokiImage?: string;
      promtailImage?: string;
      networks: string[];
      backupMaxAgeHours?: number;
      retention?: string;
      logRetention?: string;
      blackboxImage?: string;
      certExpiryDays?: number;
      /** Alert delivery; stack config shipyard:alerts is applied over it (stacks/config.ts). */
      alerts?: AlertDelivery;
      /** The document's alerts' thresholds (blueprints/schema.ts Thresholds). */
      thresholds?: z.output<typeof Thresholds>;
    };
    /** Outgoing mail: the relay the senders use, and the services and jobs that send (blueprints/resolve/mail.ts). */
    mail?: {
      relay: { kind: "relay" | "sink"; relay: MailRelay } | { kind: "off"; said: boolean };
      senders: string[];
    };
    backup?: {
      image: string;
      schedule: string;
      retentionDays: number;
      volumes: string[];
      exclude: string[];
      repository:
        { kind: "volume" } | { kind: "s3"; url: string; accessKeyRef: string; secretKeyRef: string };
      networks: string[];
      /** Scheduled verification (restic check, restore drills); undefined when off. */
      verify?: ResolvedVerify;
    };
  };
}
