/** The parts of a compose file (format 2.4) the export writes. */
import type { YamlValue } from "./yaml";

export type ComposeService = { [key: string]: YamlValue };

/** A file the containers mount read-only, relative to the compose file's directory. */
export interface RenderedFile {
  path: string;
  content: string;
  /** Holds a secret: written 0444 inside a 0700 directory, never printed. */
  secret: boolean;
  /** A script the image runs (nginx's /docker-entrypoint.d/*.sh must be executable): 0555. */
  executable?: boolean;
}

/** What a service needs from the rest of the export. */
export interface ServiceContext {
  system: string;
  environment: string;
  /** Extra labels on every object (shipyard:labels). */
  labels: Record<string, string>;
  /** Secret key (e.g. `mariadb/root`) -> value. */
  secrets: Record<string, string>;
  /** Collects the files to mount. */
  files: RenderedFile[];
  /** The health checks' start interval, where the engine has it (components/shared/engine.ts). */
  startInterval?: string;
}

/** A file mounted read-only: `./files/<service>/<name>:<target>:ro`. */
export function mountFile(
  ctx: ServiceContext,
  service: string,
  name: string,
  target: string,
  content: string,
  secret: boolean,
  executable = false,
): string {
  const path = `files/${service}/${name}`;
  if (!ctx.files.some((f) => f.path === path))
    ctx.files.push({ path, content, secret, ...(executable ? { executable } : {}) });
  return `./${path}:${target}:ro`;
}
