/**
 * The whole system checked before the first layer is touched, as the app
 * layer's program will see it (the plan: settings files, --set values and the
 * blueprint, through stacks/config.ts loadStack): the app services against the
 * contract the data layer will export (names, networks, secrets,
 * dependencies), and the backup schedule. Without it, an app-layer mistake
 * would surface after the data layer had already been deployed.
 */
import { validateServices } from "../../components/app/validate";
import { validateCron } from "../../components/backup/render/cron";
import { expectedContract } from "../../stacks/contract";
import type { TargetPlan } from "../target/plan";

export function checkSystem(plan: TargetPlan): void {
  const system = plan.system;
  const contract = expectedContract(system);
  validateServices({
    system: system.system,
    environment: system.environment,
    services: system.app.services,
    jobs: system.app.jobs,
    networks: contract.networks,
    secretKeys: contract.secretKeys,
    secrets: {},
  });
  if (system.app.backup) {
    try {
      validateCron(system.app.backup.schedule);
    } catch (e) {
      throw new Error(`blueprints/${plan.target.blueprint}.ts app.backup.schedule: ${(e as Error).message}`);
    }
  }
}
