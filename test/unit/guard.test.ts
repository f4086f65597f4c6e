import type { EngineEvent } from "@pulumi/pulumi/automation";
import { destructiveDataSteps, guardProblems, targetsOf } from "../../cli/checks/dataGuard";
import { dropPending } from "../../cli/commands/recover";

const labels = (layer: string, role: string) => [
  { label: "io.shipyard.layer", value: layer },
  { label: "io.shipyard.role", value: role },
];
const step = (op: string, type: string, name: string, layer: string, role: string): EngineEvent =>
  ({
    sequence: 0,
    timestamp: 0,
    resourcePreEvent: {
      metadata: {
        op,
        urn: `urn:pulumi:s::p::${type}::${name}`,
        type,
        provider: "",
        old: {
          type,
          urn: "",
          custom: true,
          delete: false,
          id: "",
          parent: "",
          protect: false,
          inputs: {},
          outputs: { name, labels: labels(layer, role) },
          provider: "",
        },
      },
    },
  }) as unknown as EngineEvent;
const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";

describe("data guard", () => {
  test("picks replace and delete of data containers and volumes, nothing else", () => {
    const steps = destructiveDataSteps([
      step("replace", CONTAINER, "shop-prod-mariadb", "data", "mariadb"),
      step("delete", VOLUME, "shop-prod-redis-data", "data", "redis"),
      step("replace", CONTAINER, "shop-prod-api", "app", "api"),
      step("update", CONTAINER, "shop-prod-postgres", "data", "postgres"),
      step("delete", "docker:index/network:Network", "shop-prod-data", "data", "network-data"),
      step("same", CONTAINER, "shop-prod-redis", "data", "redis"),
    ]);
    expect(steps).toEqual([
      { op: "replace", name: "shop-prod-mariadb", role: "mariadb" },
      { op: "delete", name: "shop-prod-redis-data", role: "redis" },
    ]);
  });

  test("maps servers to their backup targets", () => {
    const targets = [
      "mariadb-mariadb-a",
      "mariadb-mariadb-b",
      "postgres-pg-x",
      "redis-redis-cache",
      "volume-v",
    ];
    expect(targetsOf("mariadb", targets)).toEqual(["mariadb-mariadb-a", "mariadb-mariadb-b"]);
    expect(targetsOf("redis-cache", targets)).toEqual(["redis-redis-cache"]);
    expect(targetsOf("minio", targets)).toEqual([]);
  });

  test("refuses a missing, stale or unverified backup; accepts a fresh one", () => {
    const now = new Date("2026-01-02T12:00:00Z");
    const steps = [{ op: "replace", name: "s-prod-mariadb", role: "mariadb" }];
    const targets = ["mariadb-mariadb-a"];
    expect(
      guardProblems(steps, [{ target: "mariadb-mariadb-a", problem: "no backup" }], targets, 24, now),
    ).toEqual(["mariadb-mariadb-a: no backup"]);
    const old = { target: "mariadb-mariadb-a", snapshot: "abc", time: new Date("2026-01-01T06:00:00Z") };
    expect(guardProblems(steps, [old], targets, 24, now)).toEqual([
      "mariadb-mariadb-a: newest verified backup abc is 30.0h old (allowed: 24h)",
    ]);
    expect(guardProblems(steps, [old], targets, 48, now)).toEqual([]);
    expect(
      guardProblems([{ op: "delete", name: "s-prod-minio", role: "minio" }], [], targets, 24, now),
    ).toEqual(["minio: no backup target covers it"]);
  });
});

describe("recover", () => {
  test("drops pending operations from an exported stack and says which", () => {
    const d = {
      version: 3,
      deployment: {
        resources: [],
        pending_operations: [
          { type: "creating", resource: { urn: "urn:pulumi:s::p::docker:index/container:Container::api" } },
        ],
      },
    };
    expect(dropPending(d)).toEqual(["creating api"]);
    expect(d.deployment).toEqual({ resources: [] });
    expect(dropPending(d)).toEqual([]);
  });
});
