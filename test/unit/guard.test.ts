import type { EngineEvent } from "@pulumi/pulumi/automation";
import { describeStep, destructiveDataSteps, guardProblems, targetsOf } from "../../cli/checks/dataGuard";
import { dropPending, pendingLeftovers } from "../../cli/commands/recover";
import { notRunning } from "../../cli/engine/running";

const labels = (layer: string, role: string) => [
  { label: "io.shipyard.layer", value: layer },
  { label: "io.shipyard.role", value: role },
];
const step = (
  op: string,
  type: string,
  name: string,
  layer: string,
  role: string,
  diffs?: string[],
): EngineEvent =>
  ({
    sequence: 0,
    timestamp: 0,
    resourcePreEvent: {
      metadata: {
        op,
        diffs,
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
const SERVICE = "docker:index/service:Service";

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

  test("Swarm mode: a data service replaced, deleted, or updated in its task spec (its task replaced) counts; labels, replicas or app services do not", () => {
    const steps = destructiveDataSteps([
      step("replace", SERVICE, "shop-prod-mariadb", "data", "mariadb", ["taskSpec"]),
      step("delete", SERVICE, "shop-prod-minio", "data", "minio"),
      step("update", SERVICE, "shop-prod-redis-cache", "data", "redis-cache", ["taskSpec", "labels"]),
      step("update", SERVICE, "shop-prod-redis-queue", "data", "redis-queue", ["labels", "mode"]),
      step("update", SERVICE, "shop-prod-postgres", "data", "postgres"),
      step("update", SERVICE, "shop-prod-backend", "app", "backend", ["taskSpec"]),
      step("replace", SERVICE, "shop-prod-frontend", "app", "frontend", ["taskSpec"]),
      step("update", CONTAINER, "shop-prod-pg", "data", "pg", ["memory"]),
    ]);
    expect(steps).toEqual([
      { op: "replace", name: "shop-prod-mariadb", role: "mariadb" },
      { op: "delete", name: "shop-prod-minio", role: "minio" },
      { op: "update", name: "shop-prod-redis-cache", role: "redis-cache" },
    ]);
    expect(steps.map(describeStep)).toEqual([
      "replace shop-prod-mariadb",
      "delete shop-prod-minio",
      "replace the task of shop-prod-redis-cache",
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

describe("recover's leftovers", () => {
  const pending = (type: string, name: string, parent = "shipyard:data:DatabaseStack") => ({
    type: "creating",
    resource: { urn: `urn:pulumi:s::p::${parent}$${type}::${name}`, inputs: { name } },
  });
  test("containers, and in Swarm mode services, secrets and configs, being created when the run died", () => {
    const d = {
      version: 3,
      deployment: {
        resources: [],
        pending_operations: [
          pending(CONTAINER, "shop-prod-api-1a2b"),
          pending(SERVICE, "shop-prod-mariadb"),
          pending("docker:index/secret:Secret", "shop-prod-mariadb-root-password-9f8e"),
          pending("docker:index/serviceConfig:ServiceConfig", "shop-prod-proxy-traefik.yml-7d6c"),
          pending(VOLUME, "shop-prod-mariadb-data"),
          { ...pending(SERVICE, "shop-prod-redis"), type: "updating" },
        ],
      },
    };
    expect(pendingLeftovers(d)).toEqual([
      { kind: "container", name: "shop-prod-api-1a2b" },
      { kind: "service", name: "shop-prod-mariadb" },
      { kind: "secret", name: "shop-prod-mariadb-root-password-9f8e" },
      { kind: "config", name: "shop-prod-proxy-traefik.yml-7d6c" },
    ]);
  });
});

describe("the running container of a workload: why there is none", () => {
  test("names what is missing and the command that shows or starts it", () => {
    expect(notRunning({ kind: "none", name: "s-prod-backup" })).toBe(
      'no container or Swarm service "s-prod-backup" on this engine',
    );
    expect(notRunning({ kind: "container", name: "c", container: "c", running: true })).toBeUndefined();
    expect(notRunning({ kind: "container", name: "c", container: "c", running: false })).toBe(
      'the container "c" is not running; start it with: docker start c',
    );
    expect(notRunning({ kind: "service", name: "s", container: "s.1.abc", nodes: [] })).toBeUndefined();
    expect(notRunning({ kind: "service", name: "s", nodes: ["node-2"] })).toMatch(
      /runs its task on node node-2, not on this engine/,
    );
    expect(notRunning({ kind: "service", name: "s", nodes: [] })).toBe(
      'the Swarm service "s" has no running task; see why with: docker service ps --no-trunc s',
    );
  });
});
