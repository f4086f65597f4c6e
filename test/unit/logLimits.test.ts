import { setupMocks, settle } from "./helpers/mocks";
import { logLimitsTransformation } from "../../stacks/logLimits";
import { parseConfig } from "../../stacks/config";
import { SWARM_DEFAULTS } from "../../components/swarm";

/**
 * shipyard:logs: an environment's own log rotation, put on every container and Swarm
 * service by a stack transformation (stacks/logLimits.ts) over the components' 3 × 10 MB.
 */
const mocks = setupMocks();
import { MonitoringStack } from "../../components/monitoring";

type Obj = Record<string, unknown>;
const args = {
  system: "logs",
  environment: "prod",
  networks: ["logs-prod-net"],
  prometheusImage: "prom/prometheus:v2.53.0",
  alertmanagerImage: "prom/alertmanager:v0.27.0",
  targets: [],
};

describe("shipyard:logs", () => {
  test("containers: json-file rotation set to the stack's limits", async () => {
    const before = mocks.resources.length;
    new MonitoringStack("logs", args, {
      transformations: [logLimitsTransformation({ maxSizeMb: 50, maxFiles: 5 }), mocks.transformation],
    });
    await settle();
    const containers = mocks.resources
      .slice(before)
      .filter((r) => r.type === "docker:index/container:Container");
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) {
      expect(c.inputs.logDriver).toBe("json-file");
      expect(c.inputs.logOpts).toEqual({ "max-file": "5", "max-size": "50m" });
    }
  });

  test("without it, the components' default; Swarm services get the limits in their task spec", async () => {
    const before = mocks.resources.length;
    new MonitoringStack("dflt", { ...args, system: "dflt" }, { transformations: [mocks.transformation] });
    new MonitoringStack(
      "sw",
      { ...args, system: "sw", swarm: SWARM_DEFAULTS },
      { transformations: [logLimitsTransformation({ maxSizeMb: 20, maxFiles: 2 }), mocks.transformation] },
    );
    await settle();
    const mine = mocks.resources.slice(before);
    const dflt = mine.find(
      (r) => r.type === "docker:index/container:Container" && r.inputs.name === "dflt-prod-prometheus",
    )!;
    expect(dflt.inputs.logOpts).toEqual({ "max-file": "3", "max-size": "10m" });
    const services = mine.filter((r) => r.type === "docker:index/service:Service");
    expect(services.length).toBeGreaterThan(0);
    for (const s of services)
      expect((s.inputs.taskSpec as Obj).logDriver).toEqual({
        name: "json-file",
        options: { "max-file": "2", "max-size": "20m" },
      });
  });

  test("parsed per stack; out-of-range or unknown fields refused naming the key", () => {
    const raw = (logs: string) => ({
      "shipyard:blueprint": "demo",
      "shipyard:environment": "prod",
      "shipyard:logs": logs,
    });
    expect(parseConfig(raw('{"maxSizeMb":50,"maxFiles":5}')).logs).toEqual({ maxSizeMb: 50, maxFiles: 5 });
    expect(() => parseConfig(raw('{"maxSizeMb":0,"maxFiles":5}'))).toThrow(/shipyard:logs\.maxSizeMb/);
    expect(() => parseConfig(raw('{"maxSizeMb":5,"maxFiles":3,"compress":true}'))).toThrow(/shipyard:logs/);
  });
});
