import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { destroy, stackName, up } from "../../cli/environment";
import { LAYERS } from "../../cli/layers";
import { docker, inspect, labelled, removeLabelled } from "./helpers/docker";
import { freePort } from "./helpers/net";
import { storedState } from "./helpers/pulumi";
import { testTarget } from "./helpers/target";

/**
 * Operator secrets and the backup key on the real engine, the demo in its prod configuration:
 *  1. an operator secret given to the deploy (`--secret webhook-hmac=…`) reaches the API as the
 *     file /run/secrets/webhook_secret named by WEBHOOK_SECRET_FILE, and appears in neither
 *     layer's `pulumi stack export` (without --show-secrets), state file, settings file, deploy
 *     log, nor in any container's inspect (environment, labels);
 */
const run = `t${process.pid}o`;
const label = `io.shipyard.test=${run}`;
const lines: string[] = [];
const figures: Record<string, number> = {};
// Random per run, so no hard-coded value can pass the searches below by accident.
const SECRET = `opsecret-${randomBytes(12).toString("hex")}`;

describe("operator secrets and the backup key, demo prod on the real engine", () => {
  let port = 0;
  const target = () => ({
    ...testTarget({
      run,
      blueprint: "demo",
      environment: "prod",
      port,
      // Unprotected, so the test can destroy the app layer without `pulumi state unprotect`.
      config: { protect: "false" },
      log: (l) => lines.push(l),
    }),
    secrets: { "webhook-hmac": SECRET },
  });
  const c = (s: string) => `${run}-prod-${s}`;
  const byRole = (role: string) =>
    docker("ps", "-q", "--filter", `label=${label}`, "--filter", `label=io.shipyard.role=${role}`)
      .split("\n")
      .filter(Boolean);
  const pulumiCli = (layer: (typeof LAYERS)[number], ...args: string[]) =>
    execFileSync("pulumi", [...args, "-s", stackName(target(), layer.name), "--non-interactive"], {
      cwd: layer.workDir,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    try {
      await destroy(target(), { removeStacks: true });
    } catch {
      /* cleanup below */
    } finally {
      removeLabelled(label);
      // The repository volume outlives an app-layer destroy on purpose (retainOnDelete).
      try {
        docker("volume", "rm", "-f", c("backups"));
      } catch {
        /* gone */
      }
      console.log(`operator secrets / backup key figures: ${JSON.stringify(figures)}`);
    }
  });

  test("an operator secret reaches the API as a file and is in no export, state, settings, log or inspect", async () => {
    const t0 = Date.now();
    await up(target());
    figures.deploySeconds = (Date.now() - t0) / 1000;

    const apis = byRole("api");
    expect(apis).toHaveLength(2); // prod: two replicas
    for (const id of apis) {
      const env = inspect(id, "{{range .Config.Env}}{{println .}}{{end}}");
      expect(env).toContain("WEBHOOK_SECRET_FILE=/run/secrets/webhook_secret");
      expect(env).not.toMatch(/^WEBHOOK_SECRET=/m);
      expect(docker("exec", id, "cat", "/run/secrets/webhook_secret")).toBe(SECRET);
    }
    // No container of the run shows it: environment, labels, mounts, anything inspect prints.
    const containers = labelled(label).containers;
    expect(containers.length).toBeGreaterThan(10);
    for (const n of containers) expect(`${n}: ${docker("inspect", n).includes(SECRET)}`).toBe(`${n}: false`);

    // Neither layer's export (secrets stay ciphertext without --show-secrets), state file or settings.
    for (const l of LAYERS) {
      const exported = pulumiCli(l, "stack", "export");
      expect(exported.length).toBeGreaterThan(1000);
      expect(`${l.name} export: ${exported.includes(SECRET)}`).toBe(`${l.name} export: false`);
      expect(`${l.name} state: ${storedState(l.name, stackName(target(), l.name)).includes(SECRET)}`).toBe(
        `${l.name} state: false`,
      );
      const settings = readFileSync(
        path.join(l.workDir, `Pulumi.${stackName(target(), l.name)}.yaml`),
        "utf8",
      );
      expect(`${l.name} settings: ${settings.includes(SECRET)}`).toBe(`${l.name} settings: false`);
    }
    // The data layer's settings hold it encrypted, under the key the docs name.
    const dataSettings = readFileSync(
      path.join(LAYERS[0].workDir, `Pulumi.${stackName(target(), "data")}.yaml`),
      "utf8",
    );
    expect(dataSettings).toMatch(/shipyard:operatorSecrets\.webhook-hmac:\n\s+secure: v1:/);
    expect(lines.join("\n")).not.toContain(SECRET);
    // It is there for whoever asks with --show-secrets (so the searches above could find it).
    const shown = JSON.parse(
      pulumiCli(LAYERS[0], "stack", "output", "secrets", "--show-secrets", "--json"),
    ) as Record<string, string>;
    expect(shown["operator/webhook-hmac"]).toBe(SECRET);
  });
});
