import { destroy } from "../../cli/commands/destroy";
import { preview } from "../../cli/commands/preview";
import { up } from "../../cli/commands/up";
import { docker, removeLabelled } from "./helpers/docker";
import { freePort } from "./helpers/net";
import { testTarget, TEST_TLS } from "./helpers/target";

/**
 * Label changes do not cascade (issue 28 item 4). Upstream a network's or a
 * volume's labels force a replacement, delete-first for a fixed name, and a
 * container's labels are ForceNew too: a changed `shipyard:labels` would delete
 * the networks with their containers and bring the volumes back empty. Here
 * the objects that outlive releases keep the labels they were created with:
 * after the change the same networks, volumes and data containers (engine IDs
 * and creation times compared, found by the test's label) serve, and only the
 * app layer's containers carry the new label. Network waivers are no labels:
 * the pack gets them from the blueprint and still reports them as waived.
 */
const run = `t${process.pid}lc`;
const label = `io.shipyard.test=${run}`;

/** Engine identity of everything carrying the test's label, by kind and name. */
function objects(): Record<string, string> {
  const rows = (...args: string[]) =>
    docker(...args)
      .split("\n")
      .filter(Boolean);
  const out: Record<string, string> = {};
  for (const r of rows("network", "ls", "--filter", `label=${label}`, "--format", "{{.Name}} {{.ID}}")) {
    const [name, id] = r.split(" ");
    out[`network ${name}`] = id;
  }
  for (const v of rows("volume", "ls", "--filter", `label=${label}`, "--format", "{{.Name}}"))
    out[`volume ${v}`] = docker("volume", "inspect", "-f", "{{.CreatedAt}}", v);
  for (const r of rows(
    "ps",
    "-a",
    "--filter",
    `label=${label}`,
    "--format",
    '{{.Names}} {{.ID}} {{.Label "io.shipyard.layer"}}',
  )) {
    const [name, id, layer] = r.split(" ");
    out[`${layer} container ${name}`] = id;
  }
  return out;
}

const kept = (o: Record<string, string>) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith("app container")));

describe("label changes on the real engine", () => {
  let port = 0;
  const waiverTarget = testTarget({
    run: `${run}w`,
    blueprint: "webmeteor",
    environment: "staging",
    config: TEST_TLS,
    policies: true,
  });
  const target = (labels: Record<string, string>) =>
    testTarget({
      run,
      blueprint: "demo",
      environment: "dev",
      port,
      config: { labels: JSON.stringify({ "io.shipyard.test": run, ...labels }) },
    });
  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    await destroy(target({}), { removeStacks: true }).catch(() => undefined);
    await destroy(waiverTarget, { removeStacks: true }).catch(() => undefined);
    removeLabelled(label);
  });

  test("a changed shipyard:labels replaces no network, volume or data container", async () => {
    await up(target({ team: "web" }));
    const before = objects();
    const beforeKept = kept(before);
    expect(Object.keys(beforeKept).filter((k) => k.startsWith("network")).length).toBeGreaterThan(0);
    expect(Object.keys(beforeKept).filter((k) => k.startsWith("volume")).length).toBeGreaterThan(0);
    expect(Object.keys(beforeKept).filter((k) => k.startsWith("data container")).length).toBeGreaterThan(0);

    const r = await up(target({ team: "platform" }));
    const after = objects();
    console.log(
      `label change: data layer ${JSON.stringify(r.find((x) => x.layer === "data")!.changes)}, app layer ${JSON.stringify(r.find((x) => x.layer === "app")!.changes)}; ${Object.keys(beforeKept).length} networks, volumes and data containers compared`,
    );
    expect(r.find((x) => x.layer === "data")!.changes).toEqual({ same: expect.any(Number) });
    expect(kept(after)).toEqual(beforeKept);
    // The app layer's containers carry the new label (they are replaced, as upstream).
    const teams = docker(
      "ps",
      "--filter",
      `label=${label}`,
      "--filter",
      "label=io.shipyard.layer=app",
      "--format",
      '{{.Label "team"}}',
    )
      .split("\n")
      .filter(Boolean);
    expect(teams.length).toBeGreaterThan(0);
    expect(new Set(teams)).toEqual(new Set(["platform"]));
    // No network carries a waiver label.
    for (const n of Object.keys(after).filter((k) => k.startsWith("network ")))
      expect(docker("network", "inspect", "-f", "{{json .Labels}}", n.slice(8))).not.toMatch(
        /io\.shipyard\.waiver\./,
      );
  });

  test("a network's blueprint waiver reaches the pack without being a label", async () => {
    const p = await preview(waiverTarget);
    const data = p.find((x) => x.layer === "data")!;
    const waived = data.violations.filter((v) => v.policy === "data-networks-internal");
    expect(waived.length).toBeGreaterThan(0);
    for (const v of waived) {
      expect(v.level).toBe("advisory");
      expect(v.message).toMatch(/WAIVED until 2027-05-31/);
    }
  });
});
