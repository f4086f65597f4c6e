/**
 * The target engine's facts as a stack program reads them: asked (./askEngine.ts) of
 * the engine the docker provider talks to, from this stack's `docker:*` config and
 * the environment (stacks/engineHost.ts).
 */
import * as os from "node:os";
import * as pulumi from "@pulumi/pulumi";
import type { EngineFacts } from "../components/shared/engine";
import { askEngineFacts } from "./askEngine";
import { engineHost, type EngineHost } from "./engineHost";

export { TEST_ENGINE_API_ENV } from "./askEngine";

/** The provider's settings as this stack gives them (`docker:*` config and the environment). */
export function providerHost(): EngineHost {
  const c = new pulumi.Config("docker");
  return engineHost({
    config: {
      host: c.get("host"),
      context: c.get("context"),
      certPath: c.get("certPath"),
      caMaterial: c.get("caMaterial"),
      certMaterial: c.get("certMaterial"),
      keyMaterial: c.get("keyMaterial"),
    },
    env: process.env,
    home: os.homedir(),
  });
}

/** Asks the provider's engine; refuses, naming the setting, when it cannot. */
export function engineFacts(
  e: EngineHost = providerHost(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<EngineFacts> {
  return askEngineFacts(e, env);
}
