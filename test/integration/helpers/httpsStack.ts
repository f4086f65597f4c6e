/**
 * The life of an HTTPS test's fixture stack (test/fixtures/https-*, cert-watch): free
 * loopback ports for the proxy and Pebble's management endpoint, the stack created with
 * its first settings, the settings that put the proxy in front of Pebble, a replacement
 * of the proxy's containers, and the clean-up of everything the run made.
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

export async function proxyPorts(): Promise<ProxyPorts> {
  return { http: await freePort(), https: await freePort(), pebble: await freePort() };
}

/** The fixture's stack named `run`, created or selected, with its first settings. */
export async function openStack(run: string, workDir: string, config: ConfigMap): Promise<Stack> {
  const stack = await LocalWorkspace.createOrSelectStack({ stackName: run, workDir });
  await stack.setAllConfig(config);
  return stack;
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
export async function tearDown(o: {
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
