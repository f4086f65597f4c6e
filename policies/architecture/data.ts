import { isDataService } from "../lib/container";
import type { PolicyDef, StackFinding } from "../lib/policy";
import { engineName, environmentOf, label, list, type ResourceView } from "../lib/view";
import { covers, isExpired, labelWaivers } from "../lib/waivers";

/** Runs at least once a day: minute and hour fixed or stepped, every day. */
export function isDaily(cron: string): boolean {
  const f = cron.trim().split(/\s+/);
  return f.length === 5 && f[2] === "*" && f[3] === "*" && f[4] === "*";
}

/** Data is kept: internal networks, protected volumes, backups at the floor. */
export const dataPolicies: PolicyDef[] = [
  {
    name: "data-networks-internal",
    description:
      "Networks that data services attach to are internal (no route out), unless shared on purpose.",
    group: "shipyard",
    strength: "required",
    checkStack: (rs, ctx) => {
      const networks = new Map(rs.filter((r) => r.kind === "network").map((n) => [engineName(n), n]));
      const out: StackFinding[] = [];
      const seen = new Set<string>();
      for (const c of rs.filter((r) => r.kind === "container" && isDataService(r, ctx.settings.dataRoles))) {
        for (const a of list(c.props.networksAdvanced)) {
          const n = networks.get(String(a.name ?? ""));
          if (!n || n.props.internal === true || seen.has(n.name)) continue;
          seen.add(n.name);
          out.push({
            resource: n,
            message: `network ${engineName(n)} carries ${engineName(c)} but is not internal`,
          });
        }
      }
      return out;
    },
  },
  {
    name: "prod-database-volumes-protected",
    description: "Data-layer volumes in prod are protected against deletion.",
    group: "shipyard",
    strength: "required",
    kinds: ["volume"],
    check: (r) =>
      environmentOf(r) === "prod" && r.labels[label.layer] === "data" && !r.protect
        ? ["volume is not protected; set protect (blueprint or stack config) so destroy cannot delete it"]
        : [],
  },
  {
    name: "backup-floor",
    description:
      "Where backups are required (prod), the app layer runs a backup service: daily, retention at the floor.",
    group: "shipyard",
    strength: "required",
    checkStack: (rs, ctx) => {
      const env = ctx.environment;
      const appLayer = rs.some((r) => r.labels[label.layer] === "app");
      if (!env || !ctx.settings.backupEnvironments.includes(env) || !appLayer) return [];
      const floor = ctx.settings.backupFloor.retentionDays;
      const backups = rs.filter((r) => r.kind === "container" && r.labels[label.component] === "backup");
      if (backups.length === 0)
        return [{ message: `no backup service in ${env}; add a backup section to the blueprint` }];
      return backups.flatMap((b): StackFinding[] => {
        const schedule = b.labels[label.backupSchedule] ?? "";
        const days = Number(b.labels[label.backupRetention] ?? 0);
        const f: StackFinding[] = [];
        if (!isDaily(schedule)) f.push({ resource: b, message: `schedule "${schedule}" is not daily` });
        if (!(days >= floor))
          f.push({ resource: b, message: `retention ${days} days is below the floor of ${floor}` });
        return f;
      });
    },
  },
  {
    name: "resource-limits-in-band",
    description: "Memory and CPU limits fall within the band set for the environment.",
    group: "shipyard",
    strength: "required",
    kinds: ["container"],
    check: (r, ctx) => {
      const env = ctx.environment;
      if (!env) return [];
      const out: string[] = [];
      const mem = Number(r.props.memory ?? 0);
      const mb = ctx.settings.memoryMb[env];
      if (mb && mem > 0 && (mem < mb.min || mem > mb.max))
        out.push(`memory ${mem} MiB is outside ${env}'s band ${mb.min}-${mb.max}`);
      const cpus = Number(r.props.cpus ?? 0);
      const cb = ctx.settings.cpus[env];
      if (cb && cpus > 0 && (cpus < cb.min || cpus > cb.max))
        out.push(`cpus ${cpus} is outside ${env}'s band ${cb.min}-${cb.max}`);
      return out;
    },
  },
  {
    name: "waiver-expired",
    description:
      "A waiver past its expiry date is itself a violation: renew it with a reason, or fix the resource.",
    group: "shipyard",
    strength: "required",
    checkStack: (rs: ResourceView[], ctx) => [
      ...rs.flatMap((r) =>
        labelWaivers(r)
          .filter((w) => isExpired(w, ctx.today))
          .map((w) => ({
            resource: r,
            message: `label waiver of ${w.policy} expired on ${w.expires} (${w.reason})`,
          })),
      ),
      ...ctx.waivers
        .filter((w) => isExpired(w, ctx.today))
        .map((w) => ({ w, r: rs.find((r) => covers(w, r)) }))
        .filter(({ r }) => r !== undefined)
        .map(({ w, r }) => ({
          resource: r,
          message: `waiver of ${w.policy} for ${w.resource} in waivers.json expired on ${w.expires} (${w.reason})`,
        })),
    ],
  },
];
