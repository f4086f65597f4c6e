/**
 * A stack whose own settings choose the local stand-ins outside dev carries
 * IMAGE_SET_LABEL on every object it declares (through `shipyard:labels`' path),
 * so the policy pack, which sees resources and not the stack's settings, can
 * refuse it: policies/architecture/imageSet.ts. The machine's choice
 * (SHIPYARD_IMAGE_SET) and dev stacks add no label, so no deployed object
 * changes; a marked stack is stopped before any change.
 */
import { LABEL_PREFIX } from "../components/shared/labels";
import type { ImageSetChoice } from "./imageSet";

export const IMAGE_SET_LABEL = `${LABEL_PREFIX}.image-set`;
/** The label's value: the stand-ins came from the stack's settings. */
export const FROM_SETTINGS = "local from shipyard:imageSet";

/** The labels that mark a stack's objects: none unless its settings chose the stand-ins outside dev. */
export function standInsMark(c: ImageSetChoice, environment: string): Record<string, string> {
  return c.set === "local" && c.from === "stack" && environment !== "dev"
    ? { [IMAGE_SET_LABEL]: FROM_SETTINGS }
    : {};
}
