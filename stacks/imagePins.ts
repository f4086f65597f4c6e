/**
 * Image pins (docs/registries.md): app layer stack config `shipyard:imagePins`, image key ->
 * the exact reference to run, e.g. `{ "app": "ghcr.io/example/demo:main@sha256:…" }`. A pinned
 * key is not looked up in its registry: its services run the pin as given. `rollback` sets the
 * images of the update before the last one, `promote` the source environment's digests, a
 * dispatch from an application repository one key's digest (or tag, looked up when the layer
 * runs). A deploy that names no pins clears them (cli/target/plan.ts), so the environment
 * follows its tags again.
 */
import { z } from "zod";
import { FORMS } from "../components/shared/grammar";
import type { ResolvedSystem } from "../blueprints";

/** The stack config key (without the namespace). */
export const IMAGE_PINS_KEY = "imagePins";

/** A digest as registries give it. */
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

export const ImagePinsConfig = z
  .record(
    z.string().refine(FORMS.imageRef.test, (v) => ({
      message: `${JSON.stringify(v)} is not allowed; allowed: ${FORMS.imageRef.allowed}, e.g. ghcr.io/example/demo:main@sha256:<64 hex digits>`,
    })),
  )
  .default({});

export type ImagePins = z.output<typeof ImagePinsConfig>;

/** The image keys a pin may name: those the app services run (the only images looked up by digest). */
export function pinnableKeys(system: ResolvedSystem): string[] {
  const used = new Set(system.app.services.map((s) => s.image));
  return Object.keys(system.images)
    .filter((k) => used.has(system.images[k]))
    .sort();
}

/** Problems of the pins against the system: a key no app service runs. */
export function pinProblems(pins: ImagePins, system: ResolvedSystem): string[] {
  const allowed = pinnableKeys(system);
  return Object.keys(pins)
    .sort()
    .filter((k) => !allowed.includes(k))
    .map(
      (k) =>
        `shipyard:${IMAGE_PINS_KEY}.${k}: not an image key of ${system.system}'s app services in ${system.environment}; allowed: ${allowed.join(", ") || "none"}`,
    );
}

/** Image reference as the blueprint resolves it -> the pin that runs instead. */
export function pinnedRefs(pins: ImagePins, system: ResolvedSystem): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, pin] of Object.entries(pins)) if (system.images[k]) out[system.images[k]] = pin;
  return out;
}

/** Whether a reference names its digest (`…@sha256:<64 hex>`). */
export const byDigest = (ref: string) => /@sha256:[0-9a-f]{64}$/.test(ref);

/**
 * The pins an `images` output carries, for the keys given (those the app services run): by digest
 * where the image was looked up in its registry, else as named (a local stand-in, no registry).
 */
export function pinsFrom(images: Record<string, string>, keys: string[]): ImagePins {
  return Object.fromEntries(Object.entries(images).filter(([k]) => keys.includes(k)));
}
