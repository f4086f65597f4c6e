/**
 * `promote`: the digests that run in one environment (the app stack's `images`
 * output, by digest where looked up in a registry, as named for a local-only
 * image) become the next environment's image pins (shipyard:imagePins,
 * stacks/imagePins.ts) for the keys its app services run, then it is deployed. Before
 * the deploy, the registry settings the target lacks are named
 * (cli/checks/registryParity.ts), and a promotion is refused before any change
 * when a promoted digest comes from a registry the source logs in to, the target
 * has no login for it, and the registry refuses an anonymous pull
 * (cli/checks/anonymousPull.ts): the target's hosts could not pull it.
 */
import * as fs from "node:fs";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { byDigest, IMAGE_PINS_KEY, pinnableKeys, pinsFrom } from "../../stacks/imagePins";
import { anonymousPull } from "../checks/anonymousPull";
import {
  credentialNeeds,
  missingRegistrySettings,
  registrySettings,
  type CredentialNeed,
} from "../checks/registryParity";
import { Refusal } from "../errors/kinds";
import { stateFile } from "../pulumi/fileBackend";
import { createOrSelect, workspaceAt } from "../pulumi/workspace";
import { planTarget, type TargetPlan } from "../target/plan";
import type { EnvironmentTarget } from "../target/ref";
import { runOf } from "../target/run";
import { up, type LayerResult } from "./up";

export interface Promotion {
  /** Image key -> the pin the target now runs. */
  images: Record<string, string>;
  /** The registry settings the target lacked (as told to the user). */
  missing: string[];
  results: LayerResult[];
}

export async function promote(from: EnvironmentTarget, to: EnvironmentTarget): Promise<Promotion> {
  const sourcePlan = await planTarget(from);
  // Only read: the source's settings file stays as it is.
  const source = await createOrSelect(sourcePlan.layers.app.stack, sourcePlan.layers.app.layer.workDir);
  const outputs = await source.outputs();
  const images = outputs.images?.value as Record<string, string> | undefined;
  if (!images || Object.keys(images).length === 0) {
    throw new Error(
      `${from.blueprint}/${from.environment} has no deployed images to promote: deploy it first (npm run deploy -- up ${from.blueprint} ${from.environment})`,
    );
  }
  const targetPlan = await planTarget(to);
  const pins = pinsFrom(images, pinnableKeys(targetPlan.system));
  const log = runOf(to).log;
  for (const [k, ref] of Object.entries(pins))
    if (!byDigest(ref)) log(`promote: ${k}: ${ref} is local only (no registry): promoted as named`);
  const sourceSettings = registrySettings(await source.getAllConfig());
  const targetSettings = registrySettings(await targetConfig(targetPlan), to.appSecrets);
  const refused: string[] = [];
  for (const need of credentialNeeds(pins, sourceSettings, targetSettings)) {
    const asked = await anonymousPull(need.ref, need.address);
    if (asked.public)
      log(
        `promote: ${need.key}: ${need.host} serves ${need.ref} without a login: ${to.environment} pulls it anonymously`,
      );
    else refused.push(refusal(need, asked.answer, targetPlan));
  }
  if (refused.length > 0)
    throw new Refusal(
      `promote ${from.environment} -> ${to.environment} refused before any change: ${to.environment} cannot pull ${refused.length === 1 ? "an image" : "images"} ${from.environment} runs\n${refused.map((r) => `  - ${r}`).join("\n")}`,
    );
  const missing = missingRegistrySettings(sourceSettings, targetSettings, {
    from: from.environment,
    to: to.environment,
  });
  for (const m of missing) log(`promote: ${m}`);
  log(
    `promote: ${from.environment} -> ${to.environment}: ${Object.entries(pins)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`,
  );
  const results = await up({ ...to, config: { ...to.config, [IMAGE_PINS_KEY]: JSON.stringify(pins) } });
  return { images: pins, missing, results };
}

/**
 * The target app stack's settings as the deploy will set them: the stack's own (secrets
 * decrypted) when it exists, with the command's values over them. A stack not yet made is not
 * made here (a refused promotion leaves nothing behind).
 */
async function targetConfig(plan: TargetPlan): Promise<ConfigMap> {
  const app = plan.layers.app;
  const file = stateFile(app.layer.workDir, app.stack);
  const exists = file
    ? fs.existsSync(file)
    : (await (await workspaceAt(app.layer.workDir)).listStacks()).some((s) => s.name === app.stack);
  const stored = exists ? await (await createOrSelect(app.stack, app.layer.workDir)).getAllConfig() : {};
  return { ...stored, ...app.config };
}

/** One refused image: the registry, what it answered without a login, and the settings to give. */
function refusal(need: CredentialNeed, answer: string, plan: TargetPlan): string {
  const stack = plan.layers.app.stack;
  return (
    `${need.key}: ${need.ref}: registry ${need.host} refuses a pull without a login (${answer}), and ${plan.target.environment}'s app stack ${stack} has no login for it: ${need.lacks.join("; ")}. ` +
    `Set them on ${stack} as the source has them (pulumi config set shipyard:registries '[{"address":"${need.address}","username":"…"}]' -s ${stack}; pulumi config set --secret shipyard:registryPasswords '{"${need.address}":"…"}' -s ${stack}), or give the password with --registry-password ${need.address}`
  );
}
