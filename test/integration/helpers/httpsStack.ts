/**
 * The life of an HTTPS test's fixture stack (test/fixtures/https-*, cert-watch): free
 * loopback ports for the proxy and Pebble's management endpoint, the stack created with
 * its first settings, the settings that put the proxy in front of Pebble, a replacement
 * of the proxy's containers, and the clean-up of everything the run made (the hooks
 * `useHttpsStack` registers).
 */
import { LocalWorkspace, type ConfigMap, type Stack } from "@pulumi/pulumi/automation";
import { docker, inspect, removeLabelled } from "./docker";
import { freePort } from "./net";

/** The loopback ports of a run: the proxy's HTTP and HTTPS, Pebble's management endpoint. */
export interface ProxyPorts {
  http: number;
  https: number;
  pebble: number;
}

async function proxyPorts(): Promise<ProxyPorts> {
  return { http: await freePort(), https: await freePort(), pebble: await freePort() };
}

/** What an HTTPS test's hooks fill in before its test runs. */
export interface HttpsStack {
  stack: Stack;
  ports: ProxyPorts;
}

/**
 * Registers the hooks of an HTTPS test's fixture stack and returns what they fill in:
 * before all, free ports and the fixture's stack named `run` (created or selected)
 * with its first settings `config`; after all, the tear-down (`beside` first).
 */
export function useHttpsStack(o: {
  run: string;
  label: string;
  workDir: string;
  config: ConfigMap;
  beside: string[];
}): HttpsStack {
  const fixture: Partial<HttpsStack> = {};
  beforeAll(async () => {
    fixture.ports = await proxyPorts();
    fixture.stack = await LocalWorkspace.createOrSelectStack({ stackName: o.run, workDir: o.workDir });
    await fixture.stack.setAllConfig(o.config);
  });
  afterAll(() => tearDown({ stack: fixture.stack, run: o.run, label: o.label, beside: o.beside }));
  return fixture as HttpsStack;
}

/**
 * The settings that put a fixture's proxy in front of Pebble (config namespace
 * `namespace`): on, its published ports, the test CA trusted for Pebble's directory.
 */
export function proxySettings(namespace: string, ports: ProxyPorts, caRoot: string): ConfigMap {
  return {
    [`${namespace}:proxy`]: { value: "true" },
    [`${namespace}:httpPort`]: { value: String(ports.http) },
    [`${namespace}:httpsPort`]: { value: String(ports.https) },
    [`${namespace}:caRoot`]: { value: caRoot },
  };
}

/** The ACME account the fixtures taking one as settings (`https:`) get: Pebble's directory on the test's network. */
export const pebbleAccount: ConfigMap = {
  "https:email": { value: "ops@shipyard.test" },
  "https:directory": { value: "https://pebble:14000/dir" },
};

/**
 * An up with `https:generation` 2 (a label on the proxy's containers): it succeeds and
 * replaces exactly `containers`, each now a new container.
 */
export async function replaceByGeneration(stack: Stack, containers: string[]): Promise<void> {
  const before = containers.map((c) => inspect(c, "{{.Id}}"));
  await stack.setConfig("https:generation", { value: "2" });
  const up = await stack.up();
  expect(up.summary.result).toBe("succeeded");
  expect(up.summary.resourceChanges?.replace).toBe(containers.length);
  containers.forEach((c, i) => expect(inspect(c, "{{.Id}}")).not.toBe(before[i]));
}

/**
 * Removes what a run made: the containers it started beside the stack first (Pebble,
 * BIND: the network cannot go while a container is attached to it), then the stack
 * (destroyed and removed), then anything left carrying the run's label.
 */
async function tearDown(o: {
  stack: Stack | undefined;
  run: string;
  label: string;
  beside: string[];
}): Promise<void> {
  for (const c of o.beside) {
    try {
      docker("rm", "-f", "-v", c);
    } catch {
      /* not started */
    }
  }
  try {
    if (o.stack) {
      await o.stack.destroy();
      await o.stack.workspace.removeStack(o.run);
    }
  } catch {
    /* removed below */
  }
  removeLabelled(o.label);
}
