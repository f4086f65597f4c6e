/**
 * The stack's alert delivery (`shipyard:alerts`, blueprints/alerts.ts) checked where monitoring
 * runs: in staging and prod an alert must reach a person, so the delivery (with the
 * blueprint's) has to name a receiver (e-mail, a webhook or a Slack-compatible webhook), or
 * `off` be said on purpose. Refusing is the default because an outage whose alert stays in
 * Alertmanager (not routed) is found only when a user reports it; `off` stays possible, and
 * the app layer then warns on every run. Dev keeps the warning (blueprints/alerts.ts).
 */
import type { ResolvedSystem } from "../blueprints";
import { SLACK_URL_NAME } from "./configSecrets";
import { setSecretCommand } from "./operatorSecrets";

/** The refusal when monitoring runs outside dev and no receiver is named; undefined when fine. */
export function alertsProblem(system: ResolvedSystem, blueprint: string, off: boolean): string | undefined {
  const mon = system.app.monitoring;
  if (!mon || system.environment === "dev" || off) return undefined;
  const a = mon.alerts;
  if (a?.email || a?.webhook || a?.slack) return undefined;
  const up = `npm run deploy -- up ${blueprint} ${system.environment}`;
  return (
    `shipyard:alerts: required in ${system.environment}: monitoring runs and no receiver is set, so its alerts (a service or route down, a disk filling, a failed backup) would reach no one; ` +
    `set it with: pulumi config set shipyard:alerts '{"webhook":{"url":"https://hooks.example.com/alerts"}}' on both layers' stacks ` +
    `(${system.stacks.data} in stacks/data, ${system.stacks.app}) (or: ${up} --set alerts='{"email":{"host":"smtp.example.com","port":587,"from":"alerts@example.com","to":["ops@example.com"]}}'; ` +
    `a Slack-compatible webhook: --set alerts='{"slack":{}}' --secret ${SLACK_URL_NAME}, or ${setSecretCommand(SLACK_URL_NAME, system.stacks.data)}); ` +
    `allowed: an object with at least one of { email: { host, port, from, to, user?, requireTls? }, webhook: { url }, slack: { channel?, username? } }, or "off" to deploy without alert delivery (--set alerts=off)`
  );
}
