import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { engineName, environmentOf, type ResourceView } from "./view";

/** One deliberate exception: which policy, which resource, why, and until when. */
export const Waiver = z.object({
  policy: z.string().min(1),
  /** Engine or logical name of the resource; `*` matches any run of characters. */
  resource: z.string().min(1),
  /** Limit the waiver to these environments (all when absent). */
  environments: z.array(z.string()).optional(),
  reason: z.string().min(10, "say why, in at least 10 characters"),
  /** Last day the waiver holds, YYYY-MM-DD. */
  expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD"),
});
export type Waiver = z.infer<typeof Waiver>;

export const WAIVERS_FILE = path.join(__dirname, "..", "waivers.json");

/**
 * Waivers a deploy hands the pack from its blueprint (a network's `waivers`), as
 * JSON in this variable: they are not labels, since a label change replaces a
 * network (components/shared/labels.ts LABELS_AT_CREATE).
 */
export const BLUEPRINT_WAIVERS_ENV = "SHIPYARD_BLUEPRINT_WAIVERS";

function parseWaivers(text: string, source: string): Waiver[] {
  const parsed = z.array(Waiver).safeParse(JSON.parse(text));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`waivers ${source}: entry ${i.path.join(".")}: ${i.message}`);
  }
  return parsed.data;
}

/** The pack's waivers.json (or the file named in SHIPYARD_POLICY_WAIVERS), then the blueprint's. */
export function loadWaivers(env: NodeJS.ProcessEnv = process.env): Waiver[] {
  const file = env.SHIPYARD_POLICY_WAIVERS || WAIVERS_FILE;
  const fromFile = fs.existsSync(file) ? parseWaivers(fs.readFileSync(file, "utf8"), file) : [];
  const fromBlueprint = env[BLUEPRINT_WAIVERS_ENV]
    ? parseWaivers(env[BLUEPRINT_WAIVERS_ENV], BLUEPRINT_WAIVERS_ENV)
    : [];
  return [...fromFile, ...fromBlueprint];
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    "^" +
      pattern
        .split("*")
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*") +
      "$",
  );
  return re.test(value);
}

export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function isExpired(w: Waiver, day: string = today()): boolean {
  return w.expires < day;
}

/** Whether the waiver names this resource (in its environment). */
export function covers(w: Waiver, r: ResourceView): boolean {
  const env = environmentOf(r);
  return (
    (globMatch(w.resource, engineName(r)) || globMatch(w.resource, r.name)) &&
    (!w.environments || (env !== undefined && w.environments.includes(env)))
  );
}

export const WAIVER_LABEL = "io.shipyard.waiver.";

/**
 * Waivers a blueprint set on the resource as labels: io.shipyard.waiver.<policy> = "<expires> <reason>".
 * Containers only: a network's or volume's labels are set at create and kept, so
 * a waiver label there may be an old one (theirs come through BLUEPRINT_WAIVERS_ENV).
 */
export function labelWaivers(r: ResourceView): Waiver[] {
  if (r.kind === "network" || r.kind === "volume") return [];
  return Object.entries(r.labels)
    .filter(([k]) => k.startsWith(WAIVER_LABEL))
    .map(([k, v]) => {
      const [expires, ...reason] = v.trim().split(/\s+/);
      return {
        policy: k.slice(WAIVER_LABEL.length),
        resource: engineName(r),
        expires,
        reason: reason.join(" "),
      };
    });
}

/** The waiver covering this policy and resource (its labels first, then the file), expired or not. */
export function findWaiver(waivers: Waiver[], policy: string, r: ResourceView): Waiver | undefined {
  return (
    labelWaivers(r).find((w) => w.policy === policy) ??
    waivers.find((w) => w.policy === policy && covers(w, r))
  );
}
