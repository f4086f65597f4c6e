/** Data layer program: config -> DatabaseStack -> the contract for the app layer. */
import * as pulumi from "@pulumi/pulumi";
import { DatabaseStack } from "../../components/database";
import { CONTRACT_VERSION, type DataContract } from "../contract";
import { dataInputs } from "./inputs";

const inputs = dataInputs();
const db = new DatabaseStack(inputs.name, inputs.args);

export const contract: pulumi.Output<DataContract> = db.networks.apply((networks): DataContract => ({
  version: CONTRACT_VERSION,
  system: inputs.contract.system,
  environment: inputs.contract.environment,
  networks,
  endpoints: db.endpoints,
  secretKeys: inputs.contract.secretKeys,
  ...(inputs.contract.swarm ? { orchestrator: "swarm" as const } : {}),
}));
export const secrets = db.secrets;
