/** Data layer program: config -> DatabaseStack -> the contract for the app layer. */
import * as pulumi from "@pulumi/pulumi";
import { DatabaseStack } from "../../components/database";
import { CONTRACT_VERSION, type DataContract } from "../contract";
import { engineFacts } from "../engineFacts";
import { dataInputs } from "./inputs";

async function dataProgram(): Promise<Record<string, unknown>> {
  const inputs = dataInputs();
  const db = new DatabaseStack(inputs.name, { ...inputs.args, dockerEngine: await engineFacts() });
  const contract = pulumi.all([db.networks, db.networkIds]).apply(([networks, networkIds]): DataContract => ({
    version: CONTRACT_VERSION,
    system: inputs.contract.system,
    environment: inputs.contract.environment,
    networks,
    networkIds,
    endpoints: db.endpoints,
    secretKeys: inputs.contract.secretKeys,
    ...(inputs.contract.swarm ? { orchestrator: "swarm" as const } : {}),
  }));
  return { contract, secrets: db.secrets };
}

export = dataProgram();
