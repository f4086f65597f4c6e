import { imageTag, publishedPorts, unexpectedPorts } from "../lib/container";
import type { PolicyDef } from "../lib/policy";

const ANY = ["", "0.0.0.0", "::", "[::]"];

/** CIS 5.x: what a container exposes, and which image it runs. */
export const portPolicies: PolicyDef[] = [
  {
    name: "explicit-bind-address",
    description: "Published ports are bound to an explicit host address, not all interfaces (CIS 5.14).",
    group: "cis",
    cis: "5.14",
    strength: "required",
    kinds: ["container"],
    check: (r) =>
      publishedPorts(r)
        .filter((p) => ANY.includes(p.ip ?? ""))
        .map((p) => `port ${p.external} is published on all interfaces; set ip (e.g. 127.0.0.1)`),
  },
  {
    name: "no-privileged-host-ports",
    description: "Host ports below 1024 are published only by the reverse proxy (CIS 5.8).",
    group: "cis",
    cis: "5.8",
    strength: "required",
    kinds: ["container"],
    check: (r, ctx) =>
      unexpectedPorts(r, ctx.settings.publishingComponents)
        .filter((p) => p.external < 1024)
        .map((p) => `host port ${p.external} is below 1024`),
  },
  {
    name: "no-publish-all-ports",
    description: "Containers publish only the ports they name (CIS 5.9).",
    group: "cis",
    cis: "5.9",
    strength: "required",
    kinds: ["container"],
    check: (r) => (r.props.publishAllPorts === true ? ["publishAllPorts publishes every exposed port"] : []),
  },
  {
    name: "pinned-image-tag",
    description: "Images carry an explicit tag other than latest in the pinned environments (staging, prod).",
    group: "cis",
    cis: "5.28",
    strength: "required",
    kinds: ["container", "service"],
    check: (r, ctx) => {
      if (!ctx.environment || !ctx.settings.pinnedImageEnvironments.includes(ctx.environment)) return [];
      const image = typeof r.props.image === "string" ? r.props.image : undefined;
      if (image === undefined) return [];
      const tag = imageTag(image);
      return tag === undefined || tag === "latest"
        ? [`image ${image} is ${tag ? "latest" : "untagged"}`]
        : [];
    },
  },
];
