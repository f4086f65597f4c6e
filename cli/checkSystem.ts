/**
 * The whole system checked before the first layer is touched: the blueprint
 * schema (resolve), the app services against the contract the data layer will
 * export (names, networks, secrets, dependencies), and the backup schedule.
 * Without it, an app-layer mistake would surface after the data layer had
 * already been deployed.
 */
import { validateServices } from "../components/app/appStack";
import { validateCron } from "../components/backup/render/cron";
import { expectedContract } from "../stacks/contract";
import { systemOf } from "./engine";
import type { EnvironmentTarget } from "./environment";

export function checkSystem(t: EnvironmentTarget): void {
  const system = systemOf(t);
  const contract = expectedContract(system);
  validateServices({
    system: system.system,
    environment: system.environment,
    services: system.app.services,
    networks: contract.networks,
    secretKeys: contract.secretKeys,
    secrets: {},
  });
  if (system.app.backup) {
    try {
      validateCron(system.app.backup.schedule);
    } catch (e) {
      throw new Error(`blueprints/${t.blueprint}.ts app.backup.schedule: ${(e as Error).message}`);
    }
  }
}
