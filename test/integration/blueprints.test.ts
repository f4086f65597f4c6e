import { destroy } from "../../cli/commands/destroy";
import { preview } from "../../cli/commands/preview";
import { stackName } from "../../cli/target/names";
import { up } from "../../cli/commands/up";
import { BLUEPRINTS, resolve, type Environment } from "../../blueprints";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { CORE_LAYERS } from "../../cli/target/layers";
import { docker, labelled, removeLabelled } from "./helpers/docker";
import { freePort } from "./helpers/net";
import { expectAllHealthy, expectDependenciesReached, expectRoutesAnswer } from "./helpers/blueprint";
import { TEST_TLS, TLS_OFF, testTarget } from "./helpers/target";

/**
 * Every reference blueprint: its first environment deploys for real (data,
 * then app), every service is healthy, every route answers through the proxy,
 * app containers reach their database and cache, a second up with Pulumi run on
 * both layers (--full) changes nothing, destroy leaves nothing. Its other
 * environments preview with their differences. Blueprints can be chosen with
 * SHIPYARD_BLUEPRINTS=a,b; SHIPYARD_BLUEPRINT_ENGINE=swarm deploys the first
 * environment as Swarm services instead (by hand, on an engine in a Swarm:
 * the second-up check of issue 28 in Swarm mode, docs/components/swarm.md).
 */
const chosen = (process.env.SHIPYARD_BLUEPRINTS ?? "cme,brandclub,webmeteor,cep").split(",");
const swarm = process.env.SHIPYARD_BLUEPRINT_ENGINE === "swarm";
const figures: Record<string, unknown> = {};
afterAll(() => console.log(`blueprint figures: ${JSON.stringify(figures)}`));

const networkExists = (n: string) => docker("network", "ls", "-q", "--filter", `name=^${n}$`) !== "";

for (const blueprint of chosen) {
  const bp = BLUEPRINTS[blueprint];
  const first = bp.environments[0] as Environment;
  describe(`${blueprint} blueprint`, () => {
    const run = `t${process.pid}${blueprint.slice(0, 3)}`;
    const label = `io.shipyard.test=${run}`;
    const lines: string[] = [];
    let port = 0;
    let hadExternal = true;
    // The deployed environment serves plain HTTP (tls off, no ACME CA here; WebMeteor's first is
    // staging, tls acme by default); the previewed ones keep the blueprint's TLS.
    const target = (environment: string) =>
      testTarget({
        run,
        blueprint,
        environment,
        port,
        config:
          environment === first
            ? { ...TEST_TLS, ...TLS_OFF, ...(swarm ? { engine: "swarm" } : {}) }
            : TEST_TLS,
        log: (l) => lines.push(l),
      });

    beforeAll(async () => {
      port = await freePort();
      hadExternal = networkExists("external");
    });
    afterAll(async () => {
      try {
        await destroy(target(first), { removeStacks: true });
      } catch {
        /* removed below */
      }
      removeLabelled(label);
      if (!hadExternal && networkExists("external")) docker("network", "rm", "external");
    });

    test(`${first}: deploys, healthy, routed, connected, converged, destroyed clean`, async () => {
      const t0 = Date.now();
      await up(target(first));
      const seconds = (Date.now() - t0) / 1000;
      const containers = expectAllHealthy(label);
      expect(containers.length).toBeGreaterThan(3);
      const routes = await expectRoutesAnswer(blueprint, first, port);
      const connected = expectDependenciesReached(containers);
      expect(connected).toBeGreaterThan(0);
      // Where this environment has a backup service: a backup and a restore work for real.
      const backup = containers.find((c) => c.endsWith("-backup"));
      let backupSeconds: number | undefined;
      if (backup) {
        const b0 = Date.now();
        const out = docker("exec", backup, "shipyard-backup");
        backupSeconds = (Date.now() - b0) / 1000;
        expect(out).not.toContain("FAILED");
        const dbTarget = /shipyard-backup: ((mariadb|postgres)-\S+) ok/.exec(out)?.[1];
        expect(dbTarget).toBeDefined();
        expect(docker("exec", backup, "shipyard-restore", dbTarget!)).toContain("restored");
      }
      figures[`${blueprint}/${first}`] = {
        containers: containers.length,
        deploySeconds: seconds,
        routes,
        connected,
        backupSeconds,
      };

      // Pulumi run on both layers against the stand-ins' read-backs (the fast path would skip them).
      const a0 = Date.now();
      const again = await up(target(first), { full: true });
      figures[`${blueprint}/${first}`] = {
        ...(figures[`${blueprint}/${first}`] as object),
        engine: swarm ? "swarm" : "container",
        secondUp: Object.fromEntries(again.map((r) => [r.layer, r.changes])),
        secondUpSeconds: (Date.now() - a0) / 1000,
      };
      for (const r of again)
        expect(`${r.layer}: ${Object.keys(r.changes).join(",")}`).toBe(`${r.layer}: same`);

      await destroy(target(first));
      expect(labelled(label)).toEqual({ containers: [], networks: [], volumes: [] });
    });

    for (const env of bp.environments.slice(1) as Environment[]) {
      test(`${env}: preview succeeds and shows the environment's differences`, async () => {
        const p = await preview(target(env));
        const text = p.map((x) => x.stdout).join("\n");
        expect(p.every((x) => (x.changes.create ?? 0) > 0)).toBe(true);
        const sys = `${run}-${env}`;
        // services that exist only in other environments are absent here
        for (const svc of bp.app.services) {
          const present = !svc.only || svc.only.includes(env);
          // stateless services are named <system>-<env>-<service> (auto-named from it), singletons <system>-<service>
          const shown = new RegExp(`docker:index:Container ${run}-(${env}-)?${svc.name}(-1)? `).test(text);
          expect(`${svc.name} in ${env}: ${shown}`).toBe(`${svc.name} in ${env}: ${present}`);
        }
        // Monitoring where the document asks for it (issue 26), through the policy pack like the rest.
        const monitored = !!resolve(bp, { environment: env, imageSet: "local" }).app.monitoring;
        const shownMon = new RegExp(`docker:index:Container ${run}-(${env}-)?prometheus `).test(text);
        expect(`monitoring in ${env}: ${shownMon}`).toBe(`monitoring in ${env}: ${monitored}`);
        if (env === "prod" && bp.app.backup && (!bp.app.backup.only || bp.app.backup.only.includes("prod"))) {
          expect(text).toContain(`${run}-backup`);
        }
        figures[`${blueprint}/${env} preview`] = Object.fromEntries(p.map((x) => [x.layer, x.changes]));
        expect(sys).toBeTruthy();
        for (const l of CORE_LAYERS) {
          const ws = await LocalWorkspace.create({ workDir: l.workDir });
          await ws.removeStack(stackName(target(env), l.name), { force: true });
        }
      });
    }
  });
}
