/** Data layer program: config -> DatabaseStack -> the contract for the app layer. */
import * as pulumi from "@pulumi/pulumi";
import { DatabaseStack } from "../../components/database";
import { loadStack, swarmOf } from "../config";
import { CONTRACT_VERSION, secretKeysOf, type DataContract } from "../contract";

const { config, system } = loadStack();
const protect = config.protect ?? system.environment === "prod";

const db = new DatabaseStack(system.system, {
  system: system.system,
  environment: system.environment,
  networks: system.data.networks,
  servers: system.data.servers,
  caches: system.data.caches,
  objectStores: system.data.objectStores,
  protect,
  labels: config.labels,
  swarm: swarmOf(config),
});

export const contract: pulumi.Output<DataContract> = db.networks.apply((networks): DataContract => ({
  version: CONTRACT_VERSION,
  system: system.system,
  environment: system.environment,
  networks,
  endpoints: db.endpoints,
  secretKeys: secretKeysOf(system),
  ...(config.engine === "swarm" ? { orchestrator: "swarm" as const } : {}),
}));
export const secrets = db.secrets;
