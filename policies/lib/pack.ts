import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { evaluateResource, evaluateStack, type Violation } from "./evaluate";
import type { Context, PolicyDef } from "./policy";
import { viewOf } from "./view";

type Shared = Omit<Context, "environment">;

/** @pulumi/policy reports a per-violation level when given an object (typed as string only). */
function report(reportViolation: ReportViolation, v: Violation): void {
  const r = reportViolation as unknown as (v: {
    message: string;
    urn?: string;
    enforcementLevel: string;
  }) => void;
  r({ message: v.message, urn: v.urn, enforcementLevel: v.level });
}

function describe(d: PolicyDef): string {
  const tag = d.cis ? `CIS ${d.cis}` : "shipyard";
  return `${d.description} [${tag}; ${d.strength === "required" ? "enforced per environment" : "advisory"}]`;
}

function viewOfResource(r: PolicyResource) {
  return viewOf({ type: r.type, name: r.name, urn: r.urn, props: r.props, protect: r.opts.protect });
}

/** One CrossGuard policy from a plain policy definition. */
export function toCrossGuard(d: PolicyDef, ctx: Shared): ResourceValidationPolicy | StackValidationPolicy {
  // The pack is mandatory; each violation carries the level its environment
  // and waivers give it (advisory ones never block).
  if (d.checkStack) {
    return {
      name: d.name,
      description: describe(d),
      enforcementLevel: "mandatory",
      validateStack: (args, rv) => {
        for (const v of evaluateStack(d, args.resources.map(viewOfResource), ctx)) report(rv, v);
      },
    };
  }
  return {
    name: d.name,
    description: describe(d),
    enforcementLevel: "mandatory",
    validateResource: (args, rv) => {
      const view = viewOf({
        type: args.type,
        name: args.name,
        urn: args.urn,
        props: args.props,
        protect: args.opts.protect,
      });
      for (const v of evaluateResource(d, view, ctx)) report(rv, v);
    },
  };
}
