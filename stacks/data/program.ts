/** Data layer program: config -> DatabaseStack -> the contract for the app layer. */
import * as pulumi from "@pulumi/pulumi";
import { DatabaseStack } from "../../components/database";
import { CONTRACT_VERSION, type DataContract } from "../contract";
import { engineFacts } from "../engineFacts";
import { describeImageSet } from "../imageSet";
import { dataInputs } from "./inputs";
import { applyLogLimits } from "../logLimits";

/** The program; `raw` is the stack's config (default: the running stack's), given by tests. */
export async function dataProgram(raw?: Record<string, string>): Promise<Record<string, unknown>> {
  const inputs = dataInputs(raw ?? pulumi.runtime.allConfig(), pulumi.getStack());
  applyLogLimits(inputs.logs);
  void pulumi.log.info(describeImageSet(inputs.imageSet));
  const db = new DatabaseStack(inputs.name, { ...inputs.args, dockerEngine: await engineFacts() });
  const certVolume = inputs.certVolume ? db.appVolumes[inputs.certVolume] : undefined;
  const contract = pulumi
    .all([db.networks, db.networkIds, certVolume])
    .apply(([networks, networkIds, certVolumeName]): DataContract => ({
      version: CONTRACT_VERSION,
      system: inputs.contract.system,
      environment: inputs.contract.environment,
      networks,
      networkIds,
      endpoints: db.endpoints,
      secretKeys: inputs.contract.secretKeys,
      ...(certVolumeName !== undefined ? { certVolume: certVolumeName } : {}),
      ...(inputs.contract.swarm ? { orchestrator: "swarm" as const } : {}),
    }));
  return { contract, secrets: db.secrets };
}
