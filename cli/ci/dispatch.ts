/**
 * A deploy asked for by an application repository (deploy.yml's `repository_dispatch` and
 * `workflow_dispatch`): blueprint, environment, image key and the digest (or tag) it pushed.
 * Checked before any change; the answer is the deploy job's target with the pin to deploy
 * (shipyard:imagePins, stacks/imagePins.ts): the blueprint's own repository for that key, at
 * that digest. A dispatch names a build, never an image: the repository comes from the blueprint.
 */
import { BLUEPRINTS, resolve, type Environment } from "../../blueprints";
import { DIGEST, IMAGE_PINS_KEY, pinnableKeys } from "../../stacks/imagePins";

export interface DispatchInput {
  blueprint?: string;
  environment?: string;
  imageKey?: string;
  /** `sha256:<64 hex>`, or a tag the registry resolves when the app layer runs. */
  image?: string;
}

/** The deploy job's target: what deploy.yml's matrix gets. */
export interface DispatchTarget {
  blueprint: string;
  environment: string;
  /** The value of shipyard:imagePins for the deploy (JSON). */
  pins: string;
}

/** A Docker tag (distribution/reference's tag grammar). */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** `host/path:tag@digest` -> `host/path`. */
export function repositoryOf(ref: string): string {
  const name = ref.replace(/@.*$/, "");
  const colon = name.lastIndexOf(":");
  return colon > name.lastIndexOf("/") ? name.slice(0, colon) : name;
}

/**
 * Checks the input; throws naming the first wrong one and its allowed values. `deployed`: the
 * blueprints this repository deploys (the others are refused too).
 */
export function dispatchTarget(input: DispatchInput, deployed?: string[]): DispatchTarget {
  const { blueprint, environment, imageKey, image } = input;
  // The blueprints this repository deploys (deploy.yml's SHIPYARD_BLUEPRINTS), else every blueprint.
  const allowed = Object.keys(BLUEPRINTS).filter((b) => !deployed || deployed.includes(b));
  if (!blueprint || !allowed.includes(blueprint))
    throw new Error(
      `dispatch input blueprint is "${blueprint ?? ""}"; allowed${deployed ? " (SHIPYARD_BLUEPRINTS)" : ""}: ${allowed.join(", ")}`,
    );
  const bp = BLUEPRINTS[blueprint];
  const envs = bp.environments as string[];
  if (!environment || !envs.includes(environment))
    throw new Error(
      `dispatch input environment is "${environment ?? ""}"; allowed for ${blueprint}: ${envs.join(", ")}`,
    );
  const system = resolve(bp, { environment: environment as Environment, imageSet: "upstream" });
  const keys = pinnableKeys(system);
  if (!imageKey || !keys.includes(imageKey))
    throw new Error(
      `dispatch input image key is "${imageKey ?? ""}"; allowed for ${blueprint} ${environment} (the images its app services run): ${keys.join(", ")}`,
    );
  const v = image ?? "";
  let pin: string;
  const repository = repositoryOf(system.images[imageKey]);
  if (v.startsWith("sha256:") || v.includes("@") || v.includes(":")) {
    if (!DIGEST.test(v))
      throw new Error(
        `dispatch input digest is ${JSON.stringify(v)}: not a digest; allowed: sha256: and 64 lower-case hex digits (what docker push and docker buildx print), or a tag`,
      );
    pin = `${repository}@${v}`;
  } else if (TAG.test(v)) {
    pin = `${repository}:${v}`;
  } else {
    throw new Error(
      `dispatch input digest is ${JSON.stringify(v)}: neither a digest nor a tag; allowed: sha256:<64 hex digits>, or a tag of letters, digits, _ . - (at most 128, not starting with . or -)`,
    );
  }
  return { blueprint, environment, pins: JSON.stringify({ [imageKey]: pin }) };
}

/** The `--set` the deploy command gets for a dispatch target. */
export const pinsSetting = (t: DispatchTarget) => `${IMAGE_PINS_KEY}=${t.pins}`;
