/**
 * `restore --import FILE` takes one `--target` and none of the snapshot flags: the
 * combinations checked before anything is read or changed.
 */
import type { Flags } from "./table";

/** Why the flags cannot go together, or undefined. */
export function importFlagsProblem(flags: Flags): string | undefined {
  const clash = (["snapshot", "from", "site"] as const).filter((k) => flags[k] !== undefined);
  if (clash.length)
    return `--import FILE reads a file, not a snapshot: drop ${clash.map((k) => `--${k}`).join(", ")}`;
  const n = flags.targets?.length ?? 0;
  if (n !== 1)
    return `--import FILE needs exactly one --target NAME (given ${n}); allowed: the databases as <engine>-<server>-<database> (e.g. mariadb-mariadb-wordpress) and the app volumes as volume-<volume>, as restore names them`;
  if (!flags.importFile) return "--import needs a FILE";
  return undefined;
}
