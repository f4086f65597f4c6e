/**
 * After an `up` whose new copy of a container failed its health gate, the state
 * is put back: the failed copy dropped, the healthy old copy live again
 * (cli/deploy/failedRelease.ts). Pairs are told apart from a container that failed
 * with no old copy, which `#initerror` replaces on the next up.
 */
import type { Deployment } from "@pulumi/pulumi/automation";
import { failedReleases, putBack, putBackServices } from "../../cli/deploy/failedRelease";
import { REPLACE_ON_CHANGES } from "../../components/swarm/containerPlan";

const C = "docker:index/container:Container";
const urn = (n: string) =>
  `urn:pulumi:dev::demo-app::shipyard:app:AppStack$docker:index/container:Container::${n}`;

function deployment(resources: object[]): Deployment {
  return { version: 3, deployment: { manifest: {}, resources } };
}

const old = { urn: urn("api"), type: C, id: "old1", delete: true, outputs: { name: "demo-dev-api-aaaaaaa" } };
const failed = {
  urn: urn("api"),
  type: C,
  id: "new1",
  initErrors: ["the container is not healthy after 92 s"],
  outputs: { name: "demo-dev-api-bbbbbbb" },
};
const web = { urn: urn("web"), type: C, id: "web1", outputs: { name: "demo-dev-web-ccccccc" } };

test("a failed new copy beside an old copy marked for deletion is found", () => {
  expect(failedReleases(deployment([web, old, failed]))).toEqual([
    {
      urn: urn("api"),
      failed: { id: "new1", name: "demo-dev-api-bbbbbbb" },
      errors: ["the container is not healthy after 92 s"],
    },
  ]);
});

test("putBack drops the failed copy and makes the old one live again", () => {
  const d = deployment([web, { ...old }, { ...failed }]);
  expect(putBack(d)).toHaveLength(1);
  const rs = (d.deployment as { resources: { id: string; delete?: boolean }[] }).resources;
  expect(rs.map((r) => r.id)).toEqual(["web1", "old1"]);
  expect(rs.find((r) => r.id === "old1")!.delete).toBeUndefined();
});

test("a failed container with no old copy is left to #initerror; nothing else is touched", () => {
  const alone = deployment([web, { ...failed }]);
  const before = JSON.stringify(alone);
  expect(putBack(alone)).toEqual([]);
  expect(JSON.stringify(alone)).toBe(before);
  // A pending delete whose replacement is healthy is Pulumi's to finish.
  expect(failedReleases(deployment([old, { ...failed, initErrors: [] }]))).toEqual([]);
  expect(REPLACE_ON_CHANGES).toContain("#initerror");
});

describe("Swarm: a service whose update Swarm rolled back", () => {
  const S = "docker:index/service:Service";
  const surn = (n: string) => `urn:pulumi:dev::brandclub-app::shipyard:app:AppStack$${S}::${n}`;
  const spec = (image: string) => ({ name: "bc-dev-backend", taskSpec: { containerSpec: { image } } });
  const before = [
    { urn: surn("backend"), type: S, id: "svc1", inputs: spec("frappe:2"), outputs: spec("frappe:2") },
  ];
  // Upstream's failed update: the planned (new) values as the state, with an init error (a partial failure).
  const after = () =>
    deployment([
      {
        urn: surn("backend"),
        type: S,
        id: "svc1",
        inputs: spec("frappe:broken"),
        outputs: spec("frappe:broken"),
        initErrors: ["service rollback completed: update rolled back due to failure"],
      },
      { urn: surn("web"), type: S, id: "svc2", inputs: spec("nginx"), outputs: spec("nginx") },
    ]);

  test("gets back its entry of before the run: the release Swarm runs, no init error", () => {
    const d = after();
    expect(putBackServices(d, before)).toEqual(["bc-dev-backend"]);
    const r = (d.deployment as { resources: Record<string, unknown>[] }).resources[0];
    expect(r.inputs).toEqual(spec("frappe:2"));
    expect(r.outputs).toEqual(spec("frappe:2"));
    expect(r.initErrors).toBeUndefined();
  });

  test("a service the run created (no entry before) and one without an init error are left as they are", () => {
    const d = after();
    expect(putBackServices(d, [])).toEqual([]);
    expect((d.deployment as { resources: { initErrors?: string[] }[] }).resources[0].initErrors).toHaveLength(
      1,
    );
  });
});
