/**
 * The local stand-ins (`shipyard/…`) the system names must already be in the
 * engine. Upstream's provider pulls an image it does not find locally (TF
 * v4.5.0 `resource_docker_container_funcs.go:50` → `findImage`,
 * `resource_docker_image_funcs.go:343-371`: local lookup, else `pullImage`),
 * and so does `docker run` for jobs; `shipyard/<name>` is a Docker Hub
 * namespace someone else could own. So a missing stand-in is refused before
 * any change, naming the image and the command that builds it.
 */
import { dockerRun, type DockerResult } from "../engine/docker";
import { Refusal } from "../errors/kinds";
import type { TargetPlan } from "../target/plan";

const STAND_IN = /^shipyard\/([a-z0-9][a-z0-9._-]*)(?::([\w][\w.-]*))?$/;

/** Every `shipyard/…` image reference in a value (the resolved system), with where it was named. */
export function standInImages(value: unknown, at = ""): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: unknown, p: string): void => {
    if (typeof v === "string") {
      if (STAND_IN.test(v) && !out.has(v)) out.set(v, p);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}[${i}]`));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, p ? `${p}.${k}` : k);
  };
  walk(value, at);
  return out;
}

/**
 * The refusal for the stand-ins the engine lacks; undefined when all are present.
 * One `docker image inspect` for all of them (it names each missing one on stderr).
 */
export function missingStandIns(
  images: Map<string, string>,
  inspect: (refs: string[]) => DockerResult = (refs) =>
    dockerRun(["image", "inspect", "--format", "{{.Id}}", ...refs]),
): string | undefined {
  if (images.size === 0) return undefined;
  const refs = [...images.keys()];
  const r = inspect(refs);
  const absent = new Set([...r.stderr.matchAll(/No such image: (\S+)/g)].map((m) => m[1]));
  if (r.status !== 0 && absent.size === 0)
    throw new Error(
      `cannot ask the engine for image ${refs.join(", ")}: ${r.stderr || r.stdout || `docker exited ${r.status}`}`,
    );
  const missing = refs
    .filter((ref) => absent.has(ref))
    .map(
      (ref) =>
        `  - ${ref} (the system's ${images.get(ref)}): build it with \`bash scripts/images.sh ${STAND_IN.exec(ref)![1]}\``,
    );
  if (missing.length === 0) return undefined;
  return (
    `local image${missing.length > 1 ? "s" : ""} missing from the engine; nothing was changed. ` +
    `The provider would pull ${missing.length > 1 ? "them" : "it"} from Docker Hub's public shipyard/ namespace, which is not this project's:\n` +
    missing.join("\n") +
    `\n  (an image is the blueprint's, blueprints/<name>.ts images.<key>.local, unless shipyard:images.<key> overrides it)`
  );
}

/** Refuses before any change when a `shipyard/…` image the system names is not in the engine. */
export function checkLocalImages(plan: TargetPlan, inspect?: (refs: string[]) => DockerResult): void {
  const problem = missingStandIns(standInImages(plan.system), inspect);
  if (problem) throw new Refusal(problem);
}
