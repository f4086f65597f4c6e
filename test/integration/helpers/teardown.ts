import { destroy } from "../../../cli/commands/destroy";
import type { EnvironmentTarget } from "../../../cli/target/ref";
import { docker, removeLabelled } from "./docker";

/**
 * The end of a test that deployed an environment: destroy both layers and their stacks, then
 * remove whatever still carries the test's label (a failed destroy included), then the named
 * volumes that outlive a destroy on purpose (a backup repository is retained on delete), then
 * print the test's figures.
 */
export async function tearDown(
  target: EnvironmentTarget,
  label: string,
  o: { volumes?: string[]; report?: () => void } = {},
): Promise<void> {
  try {
    await destroy(target, { removeStacks: true });
  } catch {
    /* the labelled removal below */
  } finally {
    removeLabelled(label);
    for (const v of o.volumes ?? [])
      try {
        docker("volume", "rm", "-f", v);
      } catch {
        /* gone */
      }
    o.report?.();
  }
}
