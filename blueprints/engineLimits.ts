/**
 * Values the Docker engine (or the upstream provider's read-back) refuses or
 * cannot keep, refused at the schema with the field and the allowed form, so
 * no layer runs with them (issue 28, item 8). Sources, moby v28.5.2:
 * daemon/daemon_unix.go:72 `linuxMinMemory = 6291456` and :421 "Minimum memory
 * limit allowed is 6MB"; :505-508 CPUs "from 0.01" (the kernel's CFS quota is at
 * least 1 ms of a 100 ms period); volume destinations must be absolute and not "/".
 */
import * as posix from "node:path/posix";
import { z } from "zod";
import { upstreamCpus } from "../components/shared/upstreamFormat";

/** The engine's smallest memory limit, in MiB (6291456 bytes). */
export const MIN_MEMORY_MB = 6;

/** The smallest CPU limit the engine can enforce. */
export const MIN_CPUS = 0.01;

/** Directories a volume may not be mounted over: the container's own system. */
export const SYSTEM_DIRECTORIES = ["/", "/bin", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr"] as const;

/** A memory limit in MiB. */
export const memoryMb = z
  .number()
  .int()
  .min(
    MIN_MEMORY_MB,
    `the engine's smallest memory limit is ${MIN_MEMORY_MB} MiB; allowed: an integer ≥ ${MIN_MEMORY_MB}`,
  );

/**
 * A CPU limit the engine enforces and the upstream provider reads back
 * unchanged: it keeps `cpus` as nine decimals rounded to one when nine of the
 * characters are zeros (terraform-provider-docker v4.5.0 helpers.go:133-149), so
 * 0.05 comes back as "0.1" and would be replaced on every `up`.
 */
export const cpus = z.number().superRefine((v, ctx) => {
  if (!(v >= MIN_CPUS)) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `${v} is below the engine's smallest CPU limit; allowed: a number ≥ ${MIN_CPUS} (e.g. 0.25, 0.5, 1, 1.5)`,
    });
    return;
  }
  const back = upstreamCpus(v);
  if (Number(back) !== v) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `${v} is read back by the docker provider as "${back}", so every up would replace the container; allowed: a number ≥ ${MIN_CPUS} it keeps as written (e.g. 0.1, 0.25, 0.5, 1, 1.5; not 0.01-0.09 or x.05)`,
    });
  }
});

/** A host or container port. */
export const port = z
  .number()
  .int("allowed: an integer from 1 to 65535")
  .min(1, "allowed: an integer from 1 to 65535")
  .max(65535, "allowed: an integer from 1 to 65535");

/**
 * A volume's mount point in the container: absolute, without `..`, normalised
 * (as the engine reads it back: `/data/` becomes `/data`), and not a system directory.
 */
export const mountPath = z
  .string()
  .superRefine((p, ctx) => {
    const allowed = `allowed: an absolute path such as /var/lib/app, without "..", not one of ${SYSTEM_DIRECTORIES.join(" ")}`;
    const problem = !p.startsWith("/")
      ? "is relative"
      : p.split("/").includes("..")
        ? 'contains ".."'
        : (SYSTEM_DIRECTORIES as readonly string[]).includes(normalMountPath(p))
          ? "is a system directory"
          : undefined;
    if (problem)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${JSON.stringify(p)} ${problem}; ${allowed}` });
  })
  .transform(normalMountPath);

/** `/a//b/./c/` → `/a/b/c`. */
export function normalMountPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 ? n.replace(/\/+$/, "") : n;
}
