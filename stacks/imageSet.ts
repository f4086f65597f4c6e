/**
 * Which image set a stack runs: the registry images (`upstream`) or the local
 * stand-ins built by scripts/images.sh (`local`). A stack's settings may name
 * one (`shipyard:imageSet`); otherwise the machine's setting decides
 * (`SHIPYARD_IMAGE_SET`, exported by scripts/env.sh from what scripts/setup.sh
 * recorded when it built the stand-ins); otherwise `upstream`. The committed
 * settings files name none, so only a machine that built the stand-ins runs
 * them; the policy `stand-ins-by-machine-only` refuses `shipyard:imageSet:
 * local` in a stack's settings outside dev.
 */
export const IMAGE_SETS = ["upstream", "local"] as const;
export type ImageSetName = (typeof IMAGE_SETS)[number];

/** The environment variable that carries this machine's image set. */
export const MACHINE_IMAGE_SET = "SHIPYARD_IMAGE_SET";

/** Where the image set came from: the stack's settings, the machine, or the default. */
export type ImageSetSource = "stack" | "machine" | "default";

export interface ImageSetChoice {
  set: ImageSetName;
  from: ImageSetSource;
}

const isImageSet = (v: unknown): v is ImageSetName => (IMAGE_SETS as readonly unknown[]).includes(v);

/**
 * The image set for a stack: `fromStack` (the stack's `shipyard:imageSet`, undefined
 * when unset) over the machine's `SHIPYARD_IMAGE_SET`. A bad machine value is a
 * problem naming the variable; a bad stack value is left to the config schema.
 */
export function chooseImageSet(
  fromStack: unknown,
  env: NodeJS.ProcessEnv = process.env,
): ImageSetChoice | { problem: string } {
  if (fromStack !== undefined) return { set: fromStack as ImageSetName, from: "stack" };
  const machine = env[MACHINE_IMAGE_SET];
  if (machine === undefined || machine === "") return { set: "upstream", from: "default" };
  if (!isImageSet(machine))
    return {
      problem: `${MACHINE_IMAGE_SET}: ${JSON.stringify(machine)} is not an image set; allowed: ${IMAGE_SETS.join(", ")} (or unset: upstream)`,
    };
  return { set: machine, from: "machine" };
}

/** One line for the deploy output, e.g. `image set: local (machine setting SHIPYARD_IMAGE_SET)`. */
export function describeImageSet(c: ImageSetChoice): string {
  const why = {
    stack: "the stack's setting shipyard:imageSet",
    machine: `machine setting ${MACHINE_IMAGE_SET}`,
    default: `default; neither shipyard:imageSet nor ${MACHINE_IMAGE_SET} is set`,
  }[c.from];
  return `image set: ${c.set} (${why})`;
}
