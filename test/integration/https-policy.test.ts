import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { openLayer } from "../../cli/pulumi/stackConfig";
import { stackName } from "../../cli/target/names";
import type { EnvironmentTarget } from "../../cli/target/ref";
import { CORE_LAYERS } from "../../cli/target/layers";
import type { PolicyRow } from "../../cli/pulumi/policyPack";
import { previewLayer } from "../../cli/checks/policies";
import { planTarget } from "../../cli/target/plan";
import { labelled } from "./helpers/docker";
import { TEST_MAIL, TEST_TLS, testTarget } from "./helpers/target";

/**
 * Policy https-only on real previews, as \`up\` runs them before any change
 * (cli/checks/policies.ts: both layers through the policy pack, the app layer against
 * the contract the data layer will export): CME (Caddy), Brand Club (Traefik), CEP prod (nginx with lego) and WebMeteor prod (Traefik)
 * in staging and prod pass the whole pack with the blueprint's TLS (acme); the
 * same previews with \`--set tls='{"mode":"off"}'\` are blocked by https-only on
 * the proxy, their one mandatory violation. Previews only: nothing reaches the engine.
 */
const run = `hp${process.pid}`;

/** Both layers' previews with the pack: whether a preview failed, and every violation reported. */
async function previewWithPack(t: EnvironmentTarget): Promise<{ rows: PolicyRow[] }> {
  const rows: PolicyRow[] = [];
  try {
    const plan = await planTarget(t);
    for (const l of CORE_LAYERS) {
      const stack = await openLayer(plan.layers[l.name]);
      const p = await previewLayer(plan, l.name, stack, {
        policies: true,
        expectedContract: l.name === "app",
      });
      rows.push(...p.violations);
    }
    return { rows };
  } finally {
    for (const l of CORE_LAYERS) {
      const ws = await LocalWorkspace.create({ workDir: l.workDir });
      await ws.removeStack(stackName(t, l.name), { force: true }).catch(() => undefined);
    }
  }
}

const target = (blueprint: string, environment: string, tls: Record<string, string>) =>
  testTarget({ run: `${run}${blueprint.slice(0, 3)}`, blueprint, environment, config: tls, policies: true });

// TLS off, with the mail relay staging and prod still need (TEST_MAIL).
const OFF = { ...TEST_MAIL, tls: JSON.stringify({ mode: "off" }) };

describe("policy https-only in previews of staging and prod", () => {
  const before = labelled(`io.shipyard.test=${run}cme`);
  const report: string[] = [];
  afterAll(() => console.log(`https-only previews:\n${report.join("\n")}`));

  test.each([
    ["cme", "staging"],
    ["cme", "prod"],
    ["brandclub", "staging"],
    ["brandclub", "prod"],
    ["cep", "prod"],
    ["webmeteor", "prod"],
  ])("%s %s: passes the pack with tls acme, blocked by https-only with tls off", async (bp, env) => {
    const t0 = Date.now();
    const on = await previewWithPack(target(bp, env, TEST_TLS));
    expect(on.rows.filter((r) => r.level === "mandatory")).toEqual([]);
    expect(on.rows.filter((r) => r.policy === "https-only")).toEqual([]);

    const off = await previewWithPack(target(bp, env, OFF));
    const mandatoryOff = off.rows.filter((r) => r.level === "mandatory");
    expect(mandatoryOff.map((r) => [r.policy, r.resource])).toEqual([
      ["https-only", `${run}${bp.slice(0, 3)}-proxy`],
    ]);
    expect(mandatoryOff[0].message).toMatch(
      new RegExp(
        `^serves plain HTTP on host port \\d+: tls mode is off; in ${env} every route is served over HTTPS`,
      ),
    );
    report.push(
      `${bp}/${env}: on ${on.rows.length} reported, 0 mandatory; off ${mandatoryOff.length} mandatory (${mandatoryOff[0].message.slice(0, 60)}…); ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    // Previews only: nothing reached the engine.
    expect(labelled(`io.shipyard.test=${run}cme`)).toEqual(before);
  });
});
