/**
 * A one-shot job as a `command:local:Command` that runs one container to
 * completion with the Docker CLI: created (its secrets copied in as files,
 * never in its environment or on a command line), attached until it exits,
 * then removed. The command's inputs are the job's inputs, so it runs again
 * only when one of them changes; a non-zero exit fails the resource, which
 * stops the deploy and shows the job's output. Nothing of it is left behind.
 * A migration job (`migration`) takes a fresh backup first where it asks for one
 * (components/app/migration.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { shellQuote as q } from "../shared/grammar";
import { labelMap, type Ownership } from "../shared/labels";
import { resourceName } from "../shared/naming";
import {
  needsWrapper,
  SECRET_ENV_WRAPPER,
  secretEnvEntries,
  secretEnvVariables,
  secretEnvWrapper,
  wrappedEntrypoint,
} from "../shared/secretEnv";
import { backupBeforeMigration } from "./migration";
import type { JobSpec } from "./types";

export interface JobContext {
  system: string;
  environment: string;
  /** Network key -> engine network name. */
  networks: Record<string, string>;
  /** Volume purpose -> engine volume name. */
  volumes: Record<string, pulumi.Input<string>>;
  secrets: pulumi.Output<Record<string, string>>;
  labels?: Record<string, string>;
}

/** The shell script that runs the job; secrets come from `SHIPYARD_JOB_SECRET_<i>` in its environment. */
export function jobScript(ctx: JobContext, j: JobSpec, volumeNames: Record<string, string>): string {
  const owner: Ownership = {
    system: ctx.system,
    environment: ctx.environment,
    layer: "app",
    component: "job",
    role: j.name,
  };
  const name = resourceName(ctx.system, ctx.environment, `job-${j.name}`);
  const entries = secretEnvEntries(j.secretEnv);
  const entrypoint = needsWrapper(entries) ? wrappedEntrypoint(j.entrypoint ?? []) : j.entrypoint;
  const args = [...(entrypoint?.slice(1) ?? []), ...(j.command ?? [])];
  const create = [
    "docker create",
    `--name ${q(name)}`,
    ...Object.entries(labelMap(owner, ctx.labels)).map(([k, v]) => `--label ${q(`${k}=${v}`)}`),
    `--network ${q(ctx.networks[j.networks[0]])}`,
    ...[
      ...Object.entries(j.env ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`),
      ...secretEnvVariables(entries),
    ].map((e) => `--env ${q(e)}`),
    ...(j.volumes ?? []).map(
      (v) => `--volume ${q(`${volumeNames[v.volume]}:${v.path}${v.readOnly ? ":ro" : ""}`)}`,
    ),
    ...(j.memoryMb ? [`--memory ${j.memoryMb}m`] : []),
    ...(entrypoint ? [`--entrypoint ${q(entrypoint[0] ?? "")}`] : []),
    q(j.image),
    ...args.map(q),
  ].join(" ");
  const files = entries.map((e, i) => `printf '%s' "$SHIPYARD_JOB_SECRET_${i}" > "$d${e.file}"`);
  return [
    "set -eu",
    `n=${q(name)}`,
    `echo "job ${j.name}: starting $n, image" ${q(j.image)} >&2`,
    // A container left by an interrupted run of this job is replaced.
    `docker rm -f "$n" >/dev/null 2>&1 || true`,
    `d=$(mktemp -d)`,
    `trap 'rm -rf "$d"; docker rm -f "$n" >/dev/null 2>&1 || true' EXIT`,
    // A migration in staging and prod: a fresh backup of the databases it changes first.
    ...backupBeforeMigration(j),
    `${create} >/dev/null`,
    ...j.networks.slice(1).map((k) => `docker network connect ${q(ctx.networks[k])} "$n"`),
    ...(entries.length || needsWrapper(entries)
      ? [
          `umask 077`,
          `mkdir -p "$d/run/secrets" "$d/run/shipyard"`,
          ...files,
          ...(needsWrapper(entries)
            ? [`cat > "$d${SECRET_ENV_WRAPPER}" <<'SHIPYARD_WRAPPER'\n${secretEnvWrapper()}SHIPYARD_WRAPPER`]
            : []),
          `chmod 0755 "$d/run" "$d/run/secrets" "$d/run/shipyard"`,
          `chmod 0444 "$d"/run/secrets/* "$d"/run/shipyard/* 2>/dev/null || true`,
          `tar -C "$d" --owner=0 --group=0 -cf - run | docker cp - "$n":/`,
        ]
      : []),
    `rc=0`,
    `docker start --attach "$n" || rc=$?`,
    `[ "$rc" = 0 ] || { echo "job ${j.name} failed: exit $rc (its output is above)" >&2; exit "$rc"; }`,
    `echo "job ${j.name}: done" >&2`,
  ].join("\n");
}

/** The job's resource; `dependsOn` holds what must exist or be healthy first. */
export function job(
  resource: string,
  ctx: JobContext,
  j: JobSpec,
  opts: pulumi.CustomResourceOptions,
): command.local.Command {
  const entries = secretEnvEntries(j.secretEnv);
  const volumeNames = pulumi
    .all(Object.entries(ctx.volumes).map(([k, v]) => pulumi.output(v).apply((n) => [k, n] as const)))
    .apply((e) => Object.fromEntries(e) as Record<string, string>);
  return new command.local.Command(
    resource,
    {
      create: volumeNames.apply((v) => jobScript(ctx, j, v)),
      environment: pulumi.secret(
        ctx.secrets.apply((m) =>
          Object.fromEntries(entries.map((e, i) => [`SHIPYARD_JOB_SECRET_${i}`, m[e.ref] ?? ""])),
        ),
      ),
    },
    opts,
  );
}
