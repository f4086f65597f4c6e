/**
 * Tls files: the operator's certificate and key delivered to the proxy without
 * replacing its container. A volume of the proxy's own holds them; a short-lived
 * container of the proxy's image writes them there (before the proxy starts, and
 * again whenever they change), and the proxy is then told to read them again with
 * its own graceful reload: nginx `nginx -s reload` (new workers, old ones finish
 * their requests). Caddy and Traefik need no command: Caddy asks for the pair at each
 * handshake (render/caddy.ts, `get_certificate http` from its own loopback file server;
 * its config reload would drop requests, 4 of 2757 over 40 forced reloads of Caddy
 * 2.11.4 here, none with 2.6.2), Traefik's file provider watches the dynamic
 * configuration (render/traefik.ts renderTraefikTlsFiles). The key passes only through the command's stdin, a Pulumi
 * secret: never an argument, variable, label or container upload.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import { dockerLabels } from "../shared";
import { shellQuote as q } from "../shared/grammar";
import { renderTraefikTlsFiles } from "./render/traefik";
import {
  CADDY_TLS_BUNDLE,
  TLS_FILES_CERT,
  TLS_FILES_DIR,
  TLS_FILES_KEY,
  TRAEFIK_TLS_DYNAMIC,
} from "./render/tlsFilesPaths";
import type { ProxyKind, ProxyTlsFiles } from "./types";

/** The files a kind reads, path -> content, the key first and the file a watcher follows last. */
export function tlsFilesContent(kind: ProxyKind, tls: ProxyTlsFiles): [string, string, string][] {
  const cert = tls.certificate.trim() + "\n";
  const key = tls.key.trim() + "\n";
  return [
    [TLS_FILES_KEY, key, "0600"],
    [TLS_FILES_CERT, cert, "0644"],
    ...(kind === "caddy" ? [[CADDY_TLS_BUNDLE, cert + key, "0600"] as [string, string, string]] : []),
    ...(kind === "traefik"
      ? [[TRAEFIK_TLS_DYNAMIC, renderTraefikTlsFiles(cert), "0644"] as [string, string, string]]
      : []),
  ];
}

/**
 * The script the writer runs (`sh -s`, from stdin): each file decoded from base64 into
 * a temporary name, then renamed over the old one (a reader sees the old file or the
 * new one, never half of one). POSIX sh, base64, chmod and mv: the upstream nginx
 * (Debian), caddy and traefik (alpine, busybox) images and the stand-ins have them.
 */
export function tlsFilesScript(files: [string, string, string][]): string {
  const lines = ["set -e", "umask 077"];
  for (const [path, content, mode] of files) {
    const tmp = `${path}.new`;
    const b64 = Buffer.from(content)
      .toString("base64")
      .replace(/(.{76})/g, "$1\n");
    lines.push(`base64 -d > ${q(tmp)} <<'SHIPYARD_EOF'`, b64, "SHIPYARD_EOF", `chmod ${mode} ${q(tmp)}`);
  }
  for (const [path] of files) lines.push(`mv -f ${q(`${path}.new`)} ${q(path)}`);
  return lines.join("\n") + "\n";
}

/** The command that makes a running proxy of this kind read the files again (graceful). */
export function reloadCommand(kind: ProxyKind): string | undefined {
  switch (kind) {
    case "nginx":
      return "nginx -s reload";
    case "caddy": // asks for the pair at each handshake
    case "traefik": // its file provider watches the dynamic configuration
      return undefined;
  }
}

/** The volume and the writer, created before the proxy (which mounts the volume read-only). */
export interface TlsFilesDelivery {
  volume: docker.Volume;
  writer: command.local.Command;
  /** A digest of the files (a secret): what makes the writer and the reload run again. */
  digest: pulumi.Output<string>;
}

export function tlsFilesDelivery(
  name: string,
  a: {
    system: string;
    environment: string;
    kind: ProxyKind;
    image: string;
    tls: ProxyTlsFiles;
    labels: Record<string, string>;
  },
  opts: pulumi.CustomResourceOptions,
): TlsFilesDelivery {
  const ownership = {
    system: a.system,
    environment: a.environment,
    layer: "app" as const,
    component: "proxy",
    role: "tls-files",
  };
  const volumeName = `${a.system}-${a.environment}-proxy-tls-files`;
  const volume = new docker.Volume(
    `${name}-tls-files`,
    { name: volumeName, labels: dockerLabels(ownership, a.labels) },
    opts,
  );
  const files = tlsFilesContent(a.kind, a.tls);
  const digest = pulumi.secret(
    createHash("sha256")
      .update(files.map(([p, c]) => `${p}\n${c}`).join("\n"))
      .digest("hex"),
  );
  const labelArgs = dockerLabels(ownership, a.labels)
    .map((l) => `--label ${q(`${l.label}=${l.value as string}`)}`)
    .join(" ");
  const writer = new command.local.Command(
    `${name}-tls-files-writer`,
    {
      create: `docker run --rm -i --network none --user 0 ${labelArgs} -v ${q(`${volumeName}:${TLS_FILES_DIR}`)} --entrypoint /bin/sh ${q(a.image)} -s`,
      stdin: pulumi.secret(tlsFilesScript(files)),
      triggers: [digest, volume.id],
    },
    { ...opts, dependsOn: [volume] },
  );
  return { volume, writer, digest };
}

/** After the proxy runs: its graceful reload whenever the files (or the container) changed. */
export function tlsFilesReload(
  name: string,
  a: {
    kind: ProxyKind;
    containerName: string;
    containerId: pulumi.Input<string>;
    digest: pulumi.Output<string>;
  },
  opts: pulumi.CustomResourceOptions,
): command.local.Command | undefined {
  const reload = reloadCommand(a.kind);
  if (!reload) return undefined;
  return new command.local.Command(
    `${name}-tls-files-reload`,
    {
      create: `docker exec ${q(a.containerName)} ${reload}`,
      triggers: [a.digest, a.containerId],
    },
    opts,
  );
}
