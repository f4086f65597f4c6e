import type { Settings } from "./settings";
import type { Waiver } from "./waivers";
import type { ResourceView } from "./view";

/** What a check may consult besides the resource itself. */
export interface Context {
  settings: Settings;
  /** The environment of the resource (or of the stack, for stack checks). */
  environment: string | undefined;
  /** Today's date, YYYY-MM-DD (waiver expiry). */
  today: string;
  waivers: Waiver[];
}

/** A violation a stack check found, on one resource or on the stack. */
export interface StackFinding {
  resource?: ResourceView;
  message: string;
}

/**
 * One policy. `required` policies are enforced at the level the environment
 * asks for (advisory in dev, mandatory in staging and prod by default);
 * `recommended` ones (CIS Level 2, "where the image allows") stay advisory.
 */
export interface PolicyDef {
  name: string;
  description: string;
  group: "cis" | "shipyard";
  /** The CIS Docker Benchmark recommendation this maps to, e.g. "5.4". */
  cis?: string;
  strength: "required" | "recommended";
  /** Resource kinds (see ResourceView.kind) a resource check applies to. */
  kinds?: string[];
  /** A plain function per resource: one message per violation. */
  check?: (r: ResourceView, ctx: Context) => string[];
  /** A plain function over every resource of the stack. */
  checkStack?: (rs: ResourceView[], ctx: Context) => StackFinding[];
}
