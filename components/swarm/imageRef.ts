/** Image references as the program reads them, without Pulumi (the deploy command reads them too). */

/**
 * Whether an image reference is looked up in a registry: neither a local
 * stand-in (`shipyard/…`, built by scripts/images.sh, never pushed) nor one
 * already carrying a digest (kept as named, as upstream's client keeps it).
 */
export function namesRegistry(ref: string): boolean {
  return !ref.startsWith("shipyard/") && !ref.includes("@");
}
