/**
 * Everything the data layer's program reads, from the stack's raw config: the
 * program builds its resources from this object alone, so the deploy command
 * can tell from the same object whether the data layer has anything to do.
 */
import type { DatabaseStackArgs } from "../../components/database";
import { ConfigError, loadStack, swarmOf, type StackConfig } from "../config";
import type { ImageSetChoice } from "../imageSet";
import { operatorSecretValues } from "../operatorSecrets";
import { BACKUP_KEY_SECRET, configSecretFormProblem } from "../configSecrets";
import { BACKUP_KEY_REF, CERT_VOLUME_PURPOSE, needsCertVolume, secretKeysOf } from "../contract";

export interface DataInputs {
  /** The DatabaseStack's name. */
  name: string;
  args: DatabaseStackArgs;
  /** The contract's fields that are not resource outputs. */
  contract: { system: string; environment: string; secretKeys: string[]; swarm: boolean };
  /** The appVolumes purpose of the proxy's certificate volume, when TLS is on. */
  certVolume?: string;
  /** Which image set runs and why (stacks/imageSet.ts). */
  imageSet: ImageSetChoice;
  /** shipyard:logs: this environment's log rotation (stacks/logLimits.ts). */
  logs?: StackConfig["logs"];
}

/** `stack`: the data layer's stack name, for the commands a refusal prints. */
export function dataInputs(raw: Record<string, string>, stack?: string): DataInputs {
  return dataInputsOf(loadStack(raw), stack);
}

/** The same, from the stack's config and system as `loadStack` gives them. */
export function dataInputsOf({ config, system }: ReturnType<typeof loadStack>, stack?: string): DataInputs {
  // A required operator secret that is missing stops the layer before any resource exists.
  // The backup key given by the operator (recovery from nothing): not a declared operator secret.
  const { [BACKUP_KEY_SECRET]: givenKey, ...given } = config.operatorSecrets;
  const operator = operatorSecretValues(
    system.app.backup ? given : config.operatorSecrets,
    system,
    config.blueprint,
    stack,
  );
  for (const o of operator.values) {
    const bad = configSecretFormProblem(o.name, o.value);
    if (bad) operator.problems.push(bad);
  }
  if (operator.problems.length > 0)
    throw new ConfigError(
      `invalid stack configuration:\n${operator.problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  return {
    name: system.system,
    args: {
      system: system.system,
      environment: system.environment,
      networks: system.data.networks,
      servers: system.data.servers,
      caches: system.data.caches,
      objectStores: system.data.objectStores,
      appSecrets: system.data.secrets,
      operatorSecrets: operator.values,
      // The backup repository's key lives here, not with the app layer's backup service.
      ...(system.app.backup
        ? { backupKey: { ref: BACKUP_KEY_REF, ...(givenKey !== undefined ? { value: givenKey } : {}) } }
        : {}),
      // The proxy's certificates are data: an app deploy or destroy never loses them.
      ...(needsCertVolume(system)
        ? { appVolumes: [{ purpose: CERT_VOLUME_PURPOSE, component: "proxy" }] }
        : {}),
      protect: config.protect ?? system.environment === "prod",
      labels: config.labels,
      swarm: swarmOf(config),
    },
    imageSet: { set: config.imageSet, from: config.imageSetFrom },
    ...(config.logs ? { logs: config.logs } : {}),
    contract: {
      system: system.system,
      environment: system.environment,
      secretKeys: secretKeysOf(system),
      swarm: config.engine === "swarm",
    },
    ...(needsCertVolume(system) ? { certVolume: CERT_VOLUME_PURPOSE } : {}),
  };
}
