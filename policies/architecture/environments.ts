import type { PolicyDef } from "../lib/policy";
import { engineName, label, list } from "../lib/view";

const KNOWN = ["dev", "staging", "prod"];

function otherEnvironment(name: string, own: string, known: string[]): string | undefined {
  const parts = name.split(/[-_.]/);
  if (parts.includes(own)) return undefined;
  return known.find((e) => e !== own && parts.includes(e));
}

/** Environments stay apart: names say where they belong, networks don't cross. */
export const environmentPolicies: PolicyDef[] = [
  {
    name: "environment-prefix",
    description: "Every container, network and volume name starts with <system>-<environment>.",
    group: "shipyard",
    strength: "required",
    kinds: ["container", "network", "volume", "service"],
    check: (r) => {
      const sys = r.labels[label.system];
      const env = r.labels[label.environment];
      if (!sys || !env) return [];
      const prefix = `${sys}-${env}`;
      const n = engineName(r);
      return n === prefix || n.startsWith(`${prefix}-`) ? [] : [`name ${n} does not start with ${prefix}-`];
    },
  },
  {
    name: "no-cross-environment-network",
    description: "No container attaches to a network named for another environment.",
    group: "shipyard",
    strength: "required",
    kinds: ["container"],
    check: (r, ctx) => {
      const env = ctx.environment;
      if (!env) return [];
      const known = [...new Set([...KNOWN, ...Object.keys(ctx.settings.enforcement)])];
      return list(r.props.networksAdvanced)
        .map((n) => String(n.name ?? ""))
        .map((n) => [n, otherEnvironment(n, env, known)] as const)
        .filter(([, other]) => other !== undefined)
        .map(([n, other]) => `attaches to network ${n}, which belongs to ${other}, from ${env}`);
    },
  },
];
