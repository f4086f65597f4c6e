/**
 * A stack's state file in Pulumi's file backend (its path: cli/pulumi/fileBackend.ts),
 * and the record the deploy command keeps beside it of the last `up` that ran Pulumi. Other backends have
 * no file to compare, so layers there always run Pulumi.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { backendDir, projectOf, stateFile } from "../pulumi/fileBackend";
import type { PolicyRow } from "../pulumi/policyPack";

function stateBytes(workDir: string, stack: string): Buffer | undefined {
  const f = stateFile(workDir, stack);
  return f && fs.existsSync(f) ? fs.readFileSync(f) : undefined;
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** sha256 of the stack's state file, or undefined when there is none. */
export function stateSha(workDir: string, stack: string): string | undefined {
  const b = stateBytes(workDir, stack);
  return b && sha256(b);
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  /** `protect: true` (a prod data volume or container). */
  protect?: boolean;
}

/** The state file's hash, resources and interrupted operations, from one read; undefined when there is none. */
export function readState(
  workDir: string,
  stack: string,
): { sha: string; resources: StateResource[]; pending: number } | undefined {
  const b = stateBytes(workDir, stack);
  if (!b) return undefined;
  const latest = JSON.parse(b.toString("utf8")).checkpoint?.latest ?? {};
  return {
    sha: sha256(b),
    resources: latest.resources ?? [],
    pending: (latest.pending_operations ?? []).length,
  };
}

/** What the last `up` that ran Pulumi left, for the next one to compare with. */
export interface UpRecord {
  /** The layer's inputs then (sources, config, what it reads of other stacks). */
  fingerprint: string;
  /** The state file right after that `up`. */
  state: string;
  /** Resources in the stack after that `up`. */
  resources: number;
  /** Its outputs (secrets shown as [secret]). */
  outputs: Record<string, unknown>;
  violations: PolicyRow[];
  at: string;
}

export function recordFile(workDir: string, stack: string): string | undefined {
  const dir = backendDir();
  return dir && path.join(dir, ".shipyard", "last-up", projectOf(workDir), `${stack}.json`);
}

export function readRecord(workDir: string, stack: string): UpRecord | undefined {
  const f = recordFile(workDir, stack);
  try {
    return f ? (JSON.parse(fs.readFileSync(f, "utf8")) as UpRecord) : undefined;
  } catch {
    return undefined;
  }
}

export function writeRecord(workDir: string, stack: string, r: UpRecord): void {
  const f = recordFile(workDir, stack);
  if (!f) return;
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(`${f}.tmp`, JSON.stringify(r, null, 2));
  fs.renameSync(`${f}.tmp`, f);
}

export function forgetRecord(workDir: string, stack: string): void {
  const f = recordFile(workDir, stack);
  if (f) fs.rmSync(f, { force: true });
}
