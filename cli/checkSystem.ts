/**
 * The whole system checked before the first layer is touched: the --set
 * config, the blueprint
 * schema (resolve), the app services against the contract the data layer will
 * export (names, networks, secrets, dependencies), and the backup schedule.
 * Without it, an app-layer mistake would surface after the data layer had
 * already been deployed.
 */
import { validateServices } from "../components/app/appStack";
import { validateCron } from "../components/backup/render/cron";
import { parseConfig } from "../stacks/config";
import { expectedContract } from "../stacks/contract";
import { systemOf } from "./engine";
import type { EnvironmentTarget } from "./environment";

export function checkSystem(t: EnvironmentTarget): void {
  // The --set values, checked as the stack programs will check them (names the key and allowed values).
  parseConfig({
    ...Object.fromEntries(Object.entries(t.config ?? {}).map(([k, v]) => [`shipyard:${k}`, v])),
    "shipyard:blueprint": t.blueprint,
    "shipyard:environment": t.environment,
  });
  const system = systemOf(t);
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
      throw new Error(`blueprints/${t.blueprint}.ts app.backup.schedule: ${(e as Error).message}`);
    }
  }
}
