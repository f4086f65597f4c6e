import { label, list, type ResourceView } from "./view";

/** Host paths bound into a container, from `volumes` and bind `mounts`. */
export function hostBinds(r: ResourceView): { path: string; readOnly: boolean }[] {
  const out: { path: string; readOnly: boolean }[] = [];
  for (const v of list(r.props.volumes)) {
    if (typeof v.hostPath === "string") out.push({ path: v.hostPath, readOnly: v.readOnly === true });
  }
  for (const m of list(r.props.mounts)) {
    if (m.type === "bind" && typeof m.source === "string")
      out.push({ path: m.source, readOnly: m.readOnly === true });
  }
  return out;
}

export function securityOpts(r: ResourceView): string[] {
  return list<string>(r.props.securityOpts).map((o) => String(o).replace("=", ":").toLowerCase());
}

/** Published host ports: only entries with an external port. */
export function publishedPorts(r: ResourceView): { internal: number; external: number; ip?: string }[] {
  return list(r.props.ports)
    .filter((p) => typeof p.external === "number")
    .map((p) => ({
      internal: Number(p.internal),
      external: Number(p.external),
      ip: p.ip as string | undefined,
    }));
}

/** The tag of an image reference; undefined when it has none (digests count as pinned). */
export function imageTag(image: string): string | undefined {
  if (image.includes("@sha256:")) return "@digest";
  const last = image.split("/").pop() ?? image;
  const i = last.indexOf(":");
  return i < 0 ? undefined : last.slice(i + 1);
}

const DATA_IMAGE = /(^|\/)(mariadb|mysql|postgres|postgresql|redis|minio|seaweedfs|mongo)(:|@|$)/;

/** A database, cache or object store, by its role label or its image. */
export function isDataService(r: ResourceView, dataRoles: string[]): boolean {
  const role = r.labels[label.role];
  if (role && dataRoles.includes(role)) return true;
  return typeof r.props.image === "string" && DATA_IMAGE.test(r.props.image);
}

export function component(r: ResourceView): string | undefined {
  return r.labels[label.component];
}

export function envVars(r: ResourceView): { key: string; value: string }[] {
  return list<string>(r.props.envs).map((e) => {
    const s = String(e);
    const i = s.indexOf("=");
    return i < 0 ? { key: s, value: "" } : { key: s.slice(0, i), value: s.slice(i + 1) };
  });
}

/** Host ports a component publishes against the settings: none if it is allowed to publish. */
export function unexpectedPorts(
  r: ResourceView,
  publishingComponents: string[],
): { internal: number; external: number; ip?: string }[] {
  return publishingComponents.includes(component(r) ?? "") ? [] : publishedPorts(r);
}
