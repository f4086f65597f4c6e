/**
 * The host's `docker` CLI must speak an API the engine accepts: the app
 * layer's `command:local` jobs, the backup and restore commands and the
 * scripts run it. Docker 29.0 to 29.2 refuse clients below API 1.44 (moby
 * docker-v29.0.0 `daemon/config/config.go:66` defaultMinAPIVersion, the
 * refusal `daemon/server/middleware/version.go:59`), i.e. a CLI older than
 * Docker 25. The CLI negotiates down, never up, so an old CLI on PATH fails
 * half-way through a deploy. Refused before any change, saying which CLI.
 */
import { dockerRun, type DockerResult } from "../engine/docker";
import { Refusal } from "../errors/kinds";
import { apiAtLeast } from "../../components/shared/engine";

const FORMAT = "{{.Client.Version}}|{{.Client.APIVersion}}|{{if .Server}}{{.Server.MinAPIVersion}}{{end}}";

/** The refusal for a CLI the engine does not accept; undefined when it does (or the engine did not answer). */
export function cliProblem(r: DockerResult, where = "the docker CLI on PATH"): string | undefined {
  const [version = "", api = "", min = ""] = r.stdout.split("|");
  const said = `${r.stderr} ${r.stdout}`;
  const refused = /client version ([\d.]+) is too old\. Minimum supported API version is ([\d.]+)/.exec(said);
  const clientApi = refused?.[1] ?? api;
  const minApi = refused?.[2] ?? min;
  if (!clientApi || !minApi || apiAtLeast(clientApi, minApi)) return undefined;
  return (
    `${where} (Docker ${version || "?"}, API ${clientApi}) is older than the engine accepts (API ${minApi} and newer); nothing was changed.\n` +
    `  The app layer's jobs (command:local), backups, restores and scripts/ run this CLI against the engine.\n` +
    `  Put a docker CLI of Docker 25 or newer (API 1.44) first on PATH (scripts/setup.sh installs one with the engine: scripts/engine-install.sh),\n` +
    `  or, on Docker 29, lower the engine's minimum with DOCKER_MIN_API_VERSION=${clientApi} in dockerd's environment (not below 1.24).`
  );
}

/** Refuses before any change when the engine refuses the host's docker CLI. */
export function checkDockerCli(run: (args: string[]) => DockerResult = dockerRun): void {
  const problem = cliProblem(run(["version", "--format", FORMAT]));
  if (problem) throw new Refusal(problem);
}
