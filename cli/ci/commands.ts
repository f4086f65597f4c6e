/**
 * The deploy command's CI subcommands (the workflows call these through
 * scripts/ci/*.sh):
 *   affected-envs [path...]      (paths from stdin when none given) -> JSON array of environments
 *   branch-targets <branch> [blueprint...]
 *                                -> JSON array of {blueprint, environment} a push to the branch deploys,
 *                                   per blueprint's branch map (blueprints/branches.ts); the blueprints
 *                                   default to $SHIPYARD_BLUEPRINTS (space-separated, default demo)
 *   dispatch-check <blueprint> <env> <image-key> <sha256:…|tag>
 *                                -> JSON array with the one {blueprint, environment, pins} a dispatch from an
 *                                   application repository deploys (cli/ci/dispatch.ts); a wrong input is
 *                                   refused naming it and the allowed values, before any change; the
 *                                   blueprints allowed are $SHIPYARD_BLUEPRINTS when it is set
 *   pr-comment <comment.md>      -> create or update the PR's preview comment
 *                                   (GITHUB_API_URL, GITHUB_REPOSITORY, PR_NUMBER, GITHUB_TOKEN)
 *   deploy-failure <deploy.log>  -> post the failed deploy (run, layer, error) to the alert webhook
 *                                   (cli/ci/deployFailure.ts; DEPLOY_FAILURE_WEBHOOK_URL,
 *                                   DEPLOY_FAILURE_FORMAT slack|alertmanager, TARGET_BLUEPRINT,
 *                                   TARGET_ENV, GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID)
 */
import * as fs from "node:fs";
import { COMMENT_MARKER, limitLength } from "../report/markdown";
import { deployTargets } from "../../blueprints/branches";
import { affectedEnvironments } from "./affected";
import { dispatchTarget } from "./dispatch";
import { upsertComment } from "./comment";
import {
  FAILURE_FORMATS,
  failureFromLog,
  failurePayload,
  postFailure,
  runUrlOf,
  type FailureFormat,
} from "./deployFailure";

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

/** Runs a CI subcommand; false when argv is not one. */
export async function runCiCommand(argv: string[]): Promise<boolean> {
  const [command, ...args] = argv;
  if (command === "affected-envs") {
    const paths = args.length ? args : fs.readFileSync(0, "utf8").split("\n");
    console.log(JSON.stringify(affectedEnvironments(paths)));
    return true;
  }
  if (command === "branch-targets") {
    const [branch, ...names] = args;
    if (!branch) throw new Error("branch-targets needs the branch, e.g. branch-targets main");
    const blueprints = names.length
      ? names
      : (process.env.SHIPYARD_BLUEPRINTS ?? "demo").split(/\s+/).filter(Boolean);
    console.log(JSON.stringify(deployTargets(blueprints, branch)));
    return true;
  }
  if (command === "dispatch-check") {
    const [blueprint, environment, imageKey, image] = args;
    const deployed = process.env.SHIPYARD_BLUEPRINTS?.split(/\s+/).filter(Boolean);
    console.log(JSON.stringify([dispatchTarget({ blueprint, environment, imageKey, image }, deployed)]));
    return true;
  }
  if (command === "pr-comment") {
    if (!args[0]) throw new Error("pr-comment needs the comment's Markdown file");
    const target = {
      api: process.env.GITHUB_API_URL ?? "https://api.github.com",
      repo: env("GITHUB_REPOSITORY"),
      issue: Number(env("PR_NUMBER")),
      token: env("GITHUB_TOKEN"),
    };
    const r = await upsertComment(target, COMMENT_MARKER, limitLength(fs.readFileSync(args[0], "utf8")));
    console.log(`comment ${r.id} ${r.action}`);
    return true;
  }
  if (command === "deploy-failure") {
    const log = args[0] && fs.existsSync(args[0]) ? fs.readFileSync(args[0], "utf8") : "";
    const format = (process.env.DEPLOY_FAILURE_FORMAT || "slack") as FailureFormat;
    if (!FAILURE_FORMATS.includes(format))
      throw new Error(`DEPLOY_FAILURE_FORMAT is "${format}"; allowed: ${FAILURE_FORMATS.join(", ")}`);
    const failure = {
      blueprint: env("TARGET_BLUEPRINT"),
      environment: env("TARGET_ENV"),
      runUrl: runUrlOf(process.env),
      ...failureFromLog(log),
    };
    const status = await postFailure(env("DEPLOY_FAILURE_WEBHOOK_URL"), failurePayload(failure, format));
    console.log(`deploy failure (${failure.layer} layer) posted as ${format}: ${status}`);
    return true;
  }
  return false;
}
