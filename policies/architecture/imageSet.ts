import type { PolicyDef } from "../lib/policy";

/** Set by stacks/imageSetLabel.ts on the workloads of a stack whose settings chose the stand-ins. */
const IMAGE_SET = "io.shipyard.image-set";

/**
 * Stand-ins never come from a settings file outside dev. The local image set
 * (the shipyard/* images built by scripts/images.sh) is a machine's choice,
 * made by its setup (SHIPYARD_IMAGE_SET, stacks/imageSet.ts); a stack's
 * settings (`shipyard:imageSet: local` in Pulumi.<env>.yaml or
 * Pulumi.<stack>.yaml, files meant to be committed) would put them into
 * staging or prod on any machine, CI's included. Such a stack marks its
 * objects with io.shipyard.image-set (the pack sees resources, not the
 * stack's settings); the deploy command's check before any change, and plain
 * `pulumi up`'s preview, stop it before anything is created.
 */
export const imageSetPolicies: PolicyDef[] = [
  {
    name: "stand-ins-by-machine-only",
    description:
      "Outside dev, the local stand-in images are never chosen by a stack's settings (shipyard:imageSet), only by the machine (SHIPYARD_IMAGE_SET).",
    group: "shipyard",
    strength: "required",
    kinds: ["container", "network", "volume"],
    check: (r, ctx) => {
      const mark = r.labels[IMAGE_SET];
      if (mark === undefined || ctx.environment === undefined || ctx.environment === "dev") return [];
      return [
        `${r.kind === "container" ? `image ${String(r.props.image)}` : r.kind}: stand-ins chosen by the stack's settings (shipyard:imageSet: local) in ${ctx.environment}; allowed: no shipyard:imageSet (registry images) or upstream; stand-ins only by the machine's choice, SHIPYARD_IMAGE_SET=local (scripts/setup.sh)`,
      ];
    },
  },
];
