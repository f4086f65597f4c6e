/** What the figures were measured on. */
import * as os from "node:os";
import { sh } from "./engine";

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  docker: string;
  dockerCompose: string;
  pulumi: string;
  node: string;
  loadAverageAtStart: number[];
}

export function describeMachine(): Machine {
  const tryRun = (cmd: string, args: string[]) => {
    try {
      return sh(cmd, args).trim();
    } catch {
      return "unavailable";
    }
  };
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    docker: tryRun("docker", [
      "version",
      "--format",
      "server {{.Server.Version}}, client {{.Client.Version}}",
    ]),
    dockerCompose: tryRun("docker", ["compose", "version", "--short"]),
    pulumi: tryRun("pulumi", ["version"]),
    node: process.version,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
