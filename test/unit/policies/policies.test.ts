import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ALL_POLICIES } from "../../../policies/lib/all";
import { evaluateAll, evaluateResource, evaluateStack } from "../../../policies/lib/evaluate";
import type { PolicyDef } from "../../../policies/lib/policy";
import { loadSettings, Settings } from "../../../policies/lib/settings";
import { viewOf, type ResourceView } from "../../../policies/lib/view";
import { BLUEPRINT_WAIVERS_ENV, loadWaivers, type Waiver } from "../../../policies/lib/waivers";
import { CASES } from "./cases";
import { container, network, owner } from "./fixtures";

const ctx = (waivers: Waiver[] = []) => ({ settings: Settings.parse({}), waivers, today: "2026-11-23" });

function violations(def: PolicyDef, rs: ResourceView[], waivers: Waiver[] = []) {
  return def.checkStack
    ? evaluateStack(def, rs, ctx(waivers))
    : rs.flatMap((r) => evaluateResource(def, r, ctx(waivers)));
}

describe("policy pack: every policy", () => {
  it("has at least 30 policies, each with a unique name and a test case", () => {
    const names = ALL_POLICIES.map((p) => p.name);
    expect(names.length).toBeGreaterThanOrEqual(30);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(CASES).sort()).toEqual([...names].sort());
    expect(ALL_POLICIES.filter((p) => p.group === "cis").length).toBeGreaterThanOrEqual(15);
    expect(ALL_POLICIES.filter((p) => p.group === "shipyard").length).toBeGreaterThanOrEqual(10);
  });

  describe.each(ALL_POLICIES.map((p) => [p.name, p] as const))("%s", (name, def) => {
    it("passes a compliant resource", () => {
      expect(violations(def, CASES[name].pass)).toEqual([]);
    });
    it("reports a violating resource", () => {
      const found = violations(def, CASES[name].fail);
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((v) => v.policy === name && v.message.length > 0)).toBe(true);
      if (!def.checkStack) {
        for (const r of CASES[name].fail) expect(evaluateResource(def, r, ctx()).length).toBeGreaterThan(0);
      }
    });
  });
});

describe("policy pack: stand-ins only by the machine's choice", () => {
  const def = ALL_POLICIES.find((p) => p.name === "stand-ins-by-machine-only")!;
  const marked = { "io.shipyard.image-set": "local from shipyard:imageSet" };

  it("refuses a prod workload whose stand-in the stack's settings chose, as a mandatory violation", () => {
    const v = evaluateResource(def, container({}, { ...owner({ env: "prod" }), ...marked }), ctx());
    expect(v.map((x) => x.level)).toEqual(["mandatory"]);
    expect(v[0].message).toMatch(
      /^image shipyard\/app:bookworm: stand-ins chosen by the stack's settings \(shipyard:imageSet: local\) in prod;.*SHIPYARD_IMAGE_SET=local/,
    );
  });

  it("lets prod run what the machine chose (no mark), and dev what its settings chose", () => {
    expect(evaluateResource(def, container({}, owner({ env: "prod" })), ctx())).toEqual([]);
    expect(evaluateResource(def, container({}, { ...owner({ env: "dev" }), ...marked }), ctx())).toEqual([]);
  });
});

describe("policy pack: enforcement, waivers and settings", () => {
  const privileged = ALL_POLICIES.find((p) => p.name === "no-privileged-containers")!;
  const readOnly = ALL_POLICIES.find((p) => p.name === "read-only-root-filesystem")!;

  it("is advisory in dev and mandatory in staging and prod", () => {
    for (const [env, level] of [
      ["dev", "advisory"],
      ["staging", "mandatory"],
      ["prod", "mandatory"],
      ["qa", "mandatory"],
    ]) {
      const v = evaluateResource(privileged, container({ privileged: true }, owner({ env })), ctx());
      expect(v.map((x) => x.level)).toEqual([level]);
    }
  });

  it("keeps recommended (CIS Level 2) policies advisory even in prod", () => {
    const v = evaluateResource(readOnly, container({ readOnly: false }, owner({ env: "prod" })), ctx());
    expect(v.map((x) => x.level)).toEqual(["advisory"]);
  });

  it("turns a waived violation advisory and says so; an expired waiver does not", () => {
    const r = container({ privileged: true });
    const w = (expires: string): Waiver => ({
      policy: privileged.name,
      resource: "sys-staging-*",
      reason: "vendor agent needs it",
      expires,
    });
    const current = evaluateResource(privileged, r, ctx([w("2027-01-31")]));
    expect(current[0]).toMatchObject({ level: "advisory", waived: true });
    expect(current[0].message).toMatch(/^WAIVED until 2027-01-31 \(vendor agent needs it\)/);
    const expired = evaluateResource(privileged, r, ctx([w("2026-11-22")]));
    expect(expired[0]).toMatchObject({ level: "mandatory", waived: false });
    expect(expired[0].message).toMatch(/waiver expired on 2026-11-22/);
    const all = evaluateAll(ALL_POLICIES, [r], ctx([w("2026-11-22")]));
    expect(all.some((v) => v.policy === "waiver-expired" && v.level === "mandatory")).toBe(true);
  });

  it("honours a waiver label on the resource, limited to its policy", () => {
    const r = container(
      { privileged: true, securityOpts: [] },
      { ...owner(), "io.shipyard.waiver.no-privileged-containers": "2027-03-01 hardware token reader" },
    );
    expect(evaluateResource(privileged, r, ctx())[0]).toMatchObject({ level: "advisory", waived: true });
    const nnp = ALL_POLICIES.find((p) => p.name === "no-new-privileges")!;
    expect(evaluateResource(nnp, r, ctx())[0]).toMatchObject({ level: "mandatory", waived: false });
  });

  it("ignores a waiver label on a network (set at create, maybe old); takes the blueprint's from the deploy", () => {
    const dataNet = ALL_POLICIES.find((p) => p.name === "data-networks-internal")!;
    const net = network(
      { internal: false },
      {
        ...owner({ layer: "data", component: "database" }),
        "io.shipyard.waiver.data-networks-internal": "2999-01-01 shared with the proxy on purpose",
      },
    );
    const db = container(
      { image: "shipyard/postgres:bookworm", networksAdvanced: [{ name: "sys-staging-backend" }] },
      owner({ layer: "data", component: "database", role: "postgres" }),
    );
    expect(evaluateStack(dataNet, [net, db], ctx())[0]).toMatchObject({ level: "mandatory", waived: false });
    const fromBlueprint = loadWaivers({
      SHIPYARD_POLICY_WAIVERS: "/nonexistent",
      [BLUEPRINT_WAIVERS_ENV]: JSON.stringify([
        {
          policy: "data-networks-internal",
          resource: "sys-staging-backend",
          environments: ["staging"],
          reason: "shared with the proxy on purpose",
          expires: "2999-01-01",
        },
      ]),
    });
    expect(evaluateStack(dataNet, [net, db], ctx(fromBlueprint))[0]).toMatchObject({
      level: "advisory",
      waived: true,
    });
    expect(() => loadWaivers({ [BLUEPRINT_WAIVERS_ENV]: '[{"policy":"x"}]' })).toThrow(
      /waivers SHIPYARD_BLUEPRINT_WAIVERS: entry 0\.resource/,
    );
  });

  it("reads settings and waivers files, naming the field when one is wrong", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-policy-"));
    const settings = path.join(dir, "settings.json");
    fs.writeFileSync(settings, JSON.stringify({ enforcement: { dev: "mandatory" } }));
    expect(loadSettings({ SHIPYARD_POLICY_SETTINGS: settings }).enforcement.dev).toBe("mandatory");
    fs.writeFileSync(settings, JSON.stringify({ enforcement: { dev: "blocking" } }));
    expect(() => loadSettings({ SHIPYARD_POLICY_SETTINGS: settings })).toThrow(
      /enforcement\.dev: Invalid enum value.*'advisory' \| 'mandatory' \| 'disabled'/,
    );
    const waivers = path.join(dir, "waivers.json");
    fs.writeFileSync(
      waivers,
      JSON.stringify([{ policy: "x", resource: "y", reason: "long enough reason", expires: "31.12.2027" }]),
    );
    expect(() => loadWaivers({ SHIPYARD_POLICY_WAIVERS: waivers })).toThrow(
      /entry 0\.expires: expected YYYY-MM-DD/,
    );
    expect(loadWaivers({ SHIPYARD_POLICY_WAIVERS: path.join(dir, "none.json") })).toEqual([]);
  });
});

describe("policy pack: Swarm services", () => {
  const byName = (n: string) => ALL_POLICIES.find((p) => p.name === n)!;
  const service = (over: Record<string, unknown> = {}) =>
    viewOf({
      type: "docker:index/service:Service",
      name: "sys-api",
      props: {
        name: "sys-staging-api",
        labels: Object.entries(owner()).map(([label, value]) => ({ label, value })),
        taskSpec: {
          containerSpec: {
            image: "shipyard/app:bookworm",
            env: { A: "1" },
            healthcheck: { tests: ["CMD", "true"] },
          },
          resources: { limits: { memoryBytes: 512 * 1024 * 1024, nanoCpus: 1e9 } },
          restartPolicy: { condition: "any" },
        },
        ...over,
      },
    });

  it("are checked as the container their tasks run", () => {
    const v = service();
    expect(v.kind).toBe("container");
    expect(v.props).toMatchObject({ image: "shipyard/app:bookworm", memory: 512, cpus: "1", envs: ["A=1"] });
    expect(violations(byName("memory-limit"), [v])).toEqual([]);
    expect(violations(byName("health-check"), [v])).toEqual([]);
    expect(
      violations(byName("health-check"), [service({ taskSpec: { containerSpec: { image: "x:1" } } })]).length,
    ).toBe(1);
    // Cannot be set for a service on Engine API 1.41: not reported.
    expect(violations(byName("no-new-privileges"), [v])).toEqual([]);
  });

  it("report a published port as bound to every interface, which Swarm does", () => {
    const v = service({
      endpointSpec: { ports: [{ targetPort: 80, publishedPort: 8080, publishMode: "host" }] },
    });
    const found = violations(byName("explicit-bind-address"), [v]);
    expect(found.map((f) => f.level)).toEqual(["mandatory"]);
  });
});

describe("policy https-only", () => {
  const https = ALL_POLICIES.find((p) => p.name === "https-only")!;
  const proxy = (
    env: string,
    mode: string | undefined,
    ports: number[],
    extra: Record<string, string> = {},
  ) =>
    container(
      {
        name: `sys-${env}-proxy`,
        ports: ports.map((p) => ({ internal: p, external: 9000 + p, ip: "127.0.0.1" })),
      },
      { ...owner({ env, component: "proxy" }), ...(mode ? { "io.shipyard.tls": mode } : {}), ...extra },
    );
  const check = (r: ResourceView, settings: Record<string, unknown> = {}) =>
    evaluateResource(https, r, { ...ctx(), settings: Settings.parse(settings) });

  it("names what is wrong: plain HTTP, a local CA, no HTTPS port", () => {
    expect(check(proxy("prod", "off", [80]))[0]).toMatchObject({ level: "mandatory" });
    expect(check(proxy("prod", "off", [80]))[0].message).toMatch(
      /^serves plain HTTP on host port 9080: tls mode is off; in prod every route is served over HTTPS and HTTP only redirects \(allowed modes: acme, files, upstream\)/,
    );
    expect(check(proxy("staging", undefined, [80]))[0].message).toMatch(
      /it declares no tls mode \(label io\.shipyard\.tls\)/,
    );
    expect(check(proxy("prod", "internal", [80, 443]))[0].message).toMatch(
      /^tls mode "internal" is not allowed in prod: its certificates come from a CA no browser trusts/,
    );
    expect(check(proxy("staging", "acme", [80]))[0].message).toMatch(
      /container port 443 is not published: nothing answers HTTPS on the host \(shipyard:httpsPort\)/,
    );
    expect(check(proxy("prod", "acme", [80, 443]))).toEqual([]);
  });

  it("accepts the operator's files with 443 published, and upstream (TLS ended in front) without it", () => {
    expect(check(proxy("prod", "files", [80, 443]))).toEqual([]);
    expect(check(proxy("prod", "files", [80]))[0].message).toMatch(
      /^tls mode "files" but container port 443 is not published/,
    );
    expect(check(proxy("staging", "upstream", [80]))).toEqual([]);
    expect(check(proxy("prod", "upstream", [80]), { httpsModes: ["acme"] })[0].message).toMatch(
      /^tls mode "upstream" is not allowed in prod: not among the policy.s httpsModes; allowed: acme;/,
    );
  });

  it("reports dev as advisory only when dev is listed; follows the settings' environments and modes", () => {
    expect(check(proxy("dev", "off", [80]))).toEqual([]);
    const devToo = { httpsEnvironments: ["dev", "staging", "prod"] };
    expect(check(proxy("dev", "off", [80]), devToo).map((v) => v.level)).toEqual(["advisory"]);
    expect(check(proxy("staging", "internal", [80, 443]), { httpsModes: ["acme", "internal"] })).toEqual([]);
  });

  it("is waived by a dated label on the proxy, and blocks again once it expired", () => {
    const waiver = (expires: string) => ({
      "io.shipyard.waiver.https-only": `${expires} TLS for nginx/WebMeteor in progress (issue 23)`,
    });
    const current = check(proxy("prod", "off", [80], waiver("2027-01-31")));
    expect(current[0]).toMatchObject({ level: "advisory", waived: true });
    expect(current[0].message).toMatch(/^WAIVED until 2027-01-31 \(TLS for nginx\/WebMeteor in progress/);
    const expired = check(proxy("prod", "off", [80], waiver("2026-11-01")));
    expect(expired[0]).toMatchObject({ level: "mandatory", waived: false });
  });

  it("checks a Swarm proxy service by its target ports", () => {
    const service = (mode: string, ports: number[]) =>
      viewOf({
        type: "docker:index/service:Service",
        name: "sys-proxy",
        props: {
          name: "sys-prod-proxy",
          labels: Object.entries({
            ...owner({ env: "prod", component: "proxy" }),
            "io.shipyard.tls": mode,
          }).map(([label, value]) => ({ label, value })),
          taskSpec: { containerSpec: { image: "shipyard/traefik:bookworm" } },
          endpointSpec: { ports: ports.map((p) => ({ targetPort: p, publishedPort: 9000 + p })) },
        },
      });
    expect(violations(https, [service("acme", [80, 443])])).toEqual([]);
    expect(violations(https, [service("acme", [80])]).length).toBe(1);
    expect(violations(https, [service("off", [80])]).length).toBe(1);
  });
});
