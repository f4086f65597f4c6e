import * as path from "node:path";
import { limitLength, renderPreviews } from "../../cli/report/markdown";
import { loadPreview, renderPreviewFiles } from "../../cli/report/render";
import { environmentsInName, stepRisks } from "../../cli/report/risks";
import type { PreviewStep } from "../../cli/report/preview";

/**
 * The fixtures are `pulumi preview --json` output recorded from a real test
 * copy of demo/staging (test/fixtures/preview/record.ts); engine names carry
 * the recording's system name, read back from the fixture itself.
 */
const dir = path.join(__dirname, "..", "fixtures", "preview");
const fixture = (name: string) => path.join(dir, `${name}.json`);
const render = (...names: string[]) => renderPreviewFiles(names.map(fixture));
/** The recording's system (stack "<system>-staging"). */
const system = loadPreview(fixture("noop-data")).stack.replace(/-staging$/, "");
/** The line under the title: the worst risk, or the all-clear. */
const topLine = (md: string) => md.split("\n")[3];
const step = (fixtureName: string, logical: string): PreviewStep => {
  const s = loadPreview(fixture(fixtureName)).digest.steps?.find((x) => x.urn.endsWith(`::${logical}`));
  if (!s) throw new Error(`${fixtureName} has no step for ${logical}`);
  return JSON.parse(JSON.stringify(s)) as PreviewStep;
};

describe("preview comment from recorded previews", () => {
  test("a database image change leads with data loss and flags the downtime too", () => {
    const md = render("db-replace");
    expect(md.startsWith("<!-- shipyard-preview -->\n## Pulumi preview\n")).toBe(true);
    expect(topLine(md)).toBe(
      `**⚠ data loss: replaces database container ${system}-staging-mariadb — stack ${system}-staging (shipyard-data)**`,
    );
    expect(md).toContain(`### \`${system}-staging\` (shipyard-data)`);
    expect(md).toContain("| 0 | 0 | 2 | 0 |");
    expect(md).toContain(
      `| ⚠ data loss | replace | \`${system}-staging-mariadb\` | mariadb; replaced because: image |`,
    );
    expect(md).toContain(
      `| ⚠ downtime | replace | \`${system}-staging-mariadb\` | replaced because: image |`,
    );
    expect(md).not.toContain("Policy violations");
  });

  test("no changes: zero counts and no risk", () => {
    const md = render("noop-data", "noop-app");
    expect(topLine(md)).toBe("No data loss, downtime or exposure risk found.");
    expect(md.match(/\| 0 \| 0 \| 0 \| 0 \|/g)).toHaveLength(2);
    expect(md).toContain("(shipyard-data)");
    expect(md).toContain("(shipyard)");
  });

  test("an app setting change replaces stateless services without a risk flag", () => {
    const md = render("app-change");
    expect(md).toContain("| 0 | 0 | 3 | 0 |");
    expect(topLine(md)).toBe("No data loss, downtime or exposure risk found.");
    expect(md).not.toContain("| risk |");
  });

  test("a new proxy port is exposure", () => {
    const md = render("port-change");
    expect(topLine(md)).toMatch(
      new RegExp(
        `^\\*\\*⚠ exposure: publishes port 127\\.0\\.0\\.1:\\d+->80 on ${system}-staging-proxy — stack ${system}-staging \\(shipyard\\)\\*\\*$`,
      ),
    );
    expect(md).toContain("| 0 | 0 | 1 | 0 |");
  });

  test("the worst risk of all stacks goes first, whatever the file order", () => {
    const md = render("port-change", "db-replace");
    expect(topLine(md)).toContain("⚠ data loss: replaces database container");
    expect(md).toContain("and 2 more flagged change(s) below.");
    expect(md.match(/^### .*$/gm)).toEqual([
      `### \`${system}-staging\` (shipyard)`,
      `### \`${system}-staging\` (shipyard-data)`,
    ]);
  });

  test("policy violations from the event log, as a table; a failed preview is said", () => {
    const md = render("policy-data");
    expect(md).toContain("⛔ 2 mandatory policy violation(s).");
    expect(md).toContain(`✖ preview failed for ${system}-staging (shipyard-data).`);
    expect(md).toContain("| policy | resource | level | message |");
    expect(md).toContain(
      `| volume-needs-backup-label | \`${system}-mariadb-data\` | mandatory | volume ${system}-staging-mariadb-data has no io.shipyard.backup label |`,
    );
    expect(md).toContain(
      `| container-memory-limit | \`${system}-redis\` | advisory | container ${system}-staging-redis has no memory limit |`,
    );
    const levels = [
      ...md.matchAll(/^\| (?:volume-needs-backup-label|container-memory-limit) \|[^|]+\| (\w+) \|/gm),
    ];
    expect(levels.map((m) => m[1])).toEqual(["mandatory", "mandatory", "advisory", "advisory"]);
  });
});

describe("risk rules on recorded steps", () => {
  test("deleting the database container is data loss, not downtime", () => {
    const s = step("db-replace", `${system}-mariadb`);
    s.op = "delete";
    expect(stepRisks(s).map((r) => `${r.kind}: ${r.summary}`)).toEqual([
      `data loss: deletes database container ${system}-staging-mariadb`,
    ]);
  });

  test("a replaced or deleted volume is data loss", () => {
    const db = step("db-replace", `${system}-mariadb`);
    const volume = `${system}-staging-mariadb-data`;
    const s: PreviewStep = {
      op: "replace",
      urn: db.urn.replace("docker:index/container:Container", "docker:index/volume:Volume") + "-data",
      oldState: { type: "docker:index/volume:Volume", inputs: { name: volume } },
      newState: { type: "docker:index/volume:Volume", inputs: { name: volume } },
      replaceReasons: ["driverOpts"],
    };
    expect(stepRisks(s)[0].summary).toBe(`replaces volume ${volume}`);
    expect(stepRisks(s)[0].kind).toBe("data loss");
  });

  test("Swarm mode: a data service's task spec update, replacement or deletion is data loss; an app service's is none", () => {
    const SERVICE = "docker:index/service:Service";
    const service = (
      op: string,
      name: string,
      layer: string,
      role: string,
      diffReasons: string[] = [],
    ): PreviewStep => {
      const inputs = {
        name,
        labels: [
          { label: "io.shipyard.layer", value: layer },
          { label: "io.shipyard.role", value: role },
        ],
        taskSpec: { containerSpec: { image: `shipyard/${role}:bookworm` } },
      };
      return {
        op,
        urn: `urn:pulumi:shop-prod::shipyard-data::${SERVICE}::${name}`,
        oldState: { type: SERVICE, inputs },
        newState: { type: SERVICE, inputs },
        diffReasons,
      };
    };
    const risks = (s: PreviewStep) => stepRisks(s).map((r) => `${r.kind}: ${r.summary} (${r.detail})`);
    expect(risks(service("update", "shop-prod-mariadb", "data", "mariadb", ["taskSpec", "labels"]))).toEqual([
      "data loss: replaces the task of database service shop-prod-mariadb (mariadb; task spec changed: taskSpec, labels)",
      "downtime: replaces the task of service shop-prod-mariadb (task spec changed: taskSpec, labels)",
    ]);
    expect(risks(service("delete", "shop-prod-redis-cache", "data", "redis-cache"))).toEqual([
      "data loss: deletes database service shop-prod-redis-cache (redis; delete)",
    ]);
    // A label-only update leaves the task running; app services are not data.
    expect(risks(service("update", "shop-prod-mariadb", "data", "mariadb", ["labels"]))).toEqual([]);
    expect(risks(service("update", "shop-prod-backend", "app", "backend", ["taskSpec"]))).toEqual([]);
  });

  test("attaching a staging service to a prod network is exposure; its own network is not", () => {
    const s = step("app-change", `${system}-api`);
    const nets = s.newState!.inputs!.networksAdvanced as { name: string }[];
    expect(stepRisks(s)).toEqual([]);
    nets.push({ name: `${system}-prod-data` });
    const r = stepRisks(s);
    expect(r.map((x) => x.summary)).toEqual([`attaches ${system}-staging-api to ${system}-prod-data`]);
    expect(r[0].detail).toBe("network of prod, this is staging");
    nets[nets.length - 1].name = `${system}-staging-extra`;
    expect(stepRisks(s)).toEqual([]);
  });

  test("environment words in network names", () => {
    expect(environmentsInName("webmeteor-production-network")).toEqual(["prod"]);
    expect(environmentsInName("cme-dev")).toEqual(["dev"]);
    expect(environmentsInName("developers")).toEqual([]);
  });

  test("a comment GitHub would refuse is cut at a line break, saying so", () => {
    const md = render("policy-data");
    expect(limitLength(md)).toBe(md);
    const cut = limitLength(md, 600);
    expect(cut.length).toBeLessThanOrEqual(600);
    expect(cut.startsWith("<!-- shipyard-preview -->\n")).toBe(true);
    expect(cut.endsWith("The full report is in the workflow run's summary.\n")).toBe(true);
  });

  test("an empty preview list still renders a marker and title", () => {
    expect(renderPreviews([], "Preview")).toBe(
      "<!-- shipyard-preview -->\n## Preview\n\nNo data loss, downtime or exposure risk found.\n",
    );
  });
});
