import type { PolicyDef } from "../lib/policy";

/**
 * Stand-ins never come from a settings file outside dev. The local image set
 * (shipyard/* images built by scripts/images.sh) is a machine's choice, made
 * by its setup (SHIPYARD_IMAGE_SET, stacks/imageSet.ts); a stack's settings
 * (`shipyard:imageSet: local` in Pulumi.<env>.yaml or Pulumi.<stack>.yaml,
 * files meant to be committed) would put them into staging or prod on any
 * machine, CI's included. Checked on every container, network and volume, so
 * the first resource registered stops the deploy before anything is created.
 */
export const imageSetPolicies: PolicyDef[] = [
  {
    name: "stand-ins-by-machine-only",
    description:
      "Outside dev, the local stand-in image set is never chosen by a stack's settings (shipyard:imageSet), only by the machine (SHIPYARD_IMAGE_SET).",
    group: "shipyard",
    strength: "required",
    kinds: ["container", "network", "volume"],
    check: (_r, ctx) => {
      if (ctx.stack?.imageSet !== "local" || ctx.environment === undefined || ctx.environment === "dev")
        return [];
      return [
        `the stack's settings choose the local stand-ins (shipyard:imageSet: local) in ${ctx.environment}; a settings file may not put stand-ins into ${ctx.environment}. Allowed: remove shipyard:imageSet (registry images, the default) or set it to upstream; a machine that runs its stand-ins says so itself: SHIPYARD_IMAGE_SET=local (scripts/setup.sh records it when it builds them)`,
      ];
    },
  },
];
