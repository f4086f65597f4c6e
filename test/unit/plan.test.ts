import { planFrom, type LayerSettings } from "../../cli/target/plan";
import type { EnvironmentTarget } from "../../cli/target/ref";
import * as resolveModule from "../../blueprints/resolve";

/**
 * The plan the checks before a deploy read is the system as the programs will
 * see it: values from the layers' settings files (the environment's
 * Pulumi.<env>.yaml, the stack's Pulumi.<stack>.yaml) count, as stacks/config.ts
 * loadStack applies them, and --set values count over them.
 */
const t: EnvironmentTarget = { blueprint: "demo", environment: "dev", systemName: "planunit" };
const none: LayerSettings = { env: { "shipyard:imageSet": { value: "local" } }, held: {}, file: "" };
const heldInApp = (held: Record<string, string>) =>
  planFrom(t, { data: none, app: { ...none, held, file: "(the stack's settings)" } });

describe("planTarget: what the checks before a deploy see", () => {
  test("the blueprint is resolved once per layer (each layer's loadStack), not once more for the stack names", () => {
    const spy = jest.spyOn(resolveModule, "resolve");
    try {
      planFrom(t, { data: none, app: none });
      expect(spy).toHaveBeenCalledTimes(2);
      spy.mockClear();
      // Neither layer's config passes its schema (so neither resolves): the blueprint alone gives the picture, once.
      planFrom(t, {
        data: { ...none, held: { "shipyard:replicas": "x" } },
        app: { ...none, held: { "shipyard:replicas": "x" } },
      });
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  test("the blueprint's port, kind and replicas when no settings file sets them", () => {
    const plan = planFrom(t, { data: none, app: none });
    expect(plan.proxy.port).toBe(8080);
    expect(plan.system.app.proxy.kind).toBe("nginx");
    expect(plan.proxy.container).toBe("planunit-dev-proxy");
    expect(plan.layers.app.stack).toBe("planunit-dev");
    expect(plan.layers.data.stack).toBe("planunit-dev");
  });

  test("shipyard:httpPort, proxyKind and replicas in the stack's settings file", () => {
    const plan = heldInApp({
      "shipyard:httpPort": "18123",
      "shipyard:replicas": JSON.stringify({ web: 3 }),
    });
    expect(plan.proxy.port).toBe(18123);
    expect(plan.system.app.services.find((s) => s.name === "web")?.replicas).toBe(3);
    // WebMeteor's blueprint serves it with Traefik and holds an nginx image too; its staging
    // serves HTTPS (tls acme), which nginx serves only with lego beside it (none in WebMeteor):
    // the nginx alternative needs the explicit tls mode off, and is refused without it.
    const wm = { blueprint: "webmeteor", environment: "staging", systemName: "planunit" };
    const nginx = (held: Record<string, string>) =>
      planFrom(wm, {
        data: none,
        app: { ...none, held: { "shipyard:proxyKind": "nginx", "shipyard:alerts": "off", ...held } },
      });
    const problem = (held: Record<string, string>) => {
      const loaded = nginx(held).layers.app.loaded;
      return "problem" in loaded ? loaded.problem.message : "";
    };
    expect(problem({})).toMatch(
      /shipyard:tls\.email: required with tls mode "acme" \(the blueprint webmeteor's default in staging\)/,
    );
    expect(problem({ "shipyard:tls": JSON.stringify({ email: "ops@example.org" }) })).toMatch(
      /shipyard:tls: tls mode "acme" with proxy kind nginx needs lego beside nginx/,
    );
    const kind = nginx({ "shipyard:tls": "off" });
    expect(planFrom(wm, { data: none, app: none }).system.app.proxy.kind).toBe("traefik");
    expect(kind.system.app.proxy.kind).toBe("nginx");
    expect(kind.system.app.proxy.image).toBe("shipyard/nginx:bookworm");
  });

  test("the environment's settings file (Pulumi.<env>.yaml) counts, and --set counts over both", () => {
    const envPort: LayerSettings = { ...none, env: { ...none.env, "shipyard:httpPort": { value: "18200" } } };
    expect(planFrom(t, { data: none, app: envPort }).proxy.port).toBe(18200);
    const set = { ...t, config: { httpPort: "18300" } };
    expect(
      planFrom(set, { data: none, app: { ...envPort, held: { "shipyard:httpPort": "18201" } } }).proxy.port,
    ).toBe(18300);
  });

  test("a secret held in the settings file counts as set, its value unread", () => {
    const plan = heldInApp({ "shipyard:labels": JSON.stringify({ secure: "v1:abc" }) });
    expect("problem" in plan.layers.app.loaded).toBe(true); // labels is not a text: the program refuses it too
    const ok = heldInApp({ "shipyard:appEnv": JSON.stringify({ A: "1" }) });
    expect(ok.system.app.services.every((s) => s.env?.A === "1")).toBe(true);
  });

  test("an invalid value in a settings file is the layer's problem, named as the program names it", () => {
    const plan = heldInApp({ "shipyard:httpPort": "eighty" });
    const loaded = plan.layers.app.loaded;
    expect("problem" in loaded && loaded.problem.message).toMatch(/shipyard:httpPort: Expected number/);
    expect(plan.system.system).toBe("planunit"); // the names still come from the blueprint
  });

  test("the plan is frozen", () => {
    const plan = planFrom(t, { data: none, app: none });
    expect(Object.isFrozen(plan) && Object.isFrozen(plan.proxy) && Object.isFrozen(plan.layers.app)).toBe(
      true,
    );
  });
});
