/**
 * The stack's SMTP relay (`shipyard:mail`, blueprints/mail.ts) checked against what the
 * environment sends: in staging and prod a system whose services send mail needs the relay
 * set, or `off` said on purpose. Refusing is the default because mail that silently vanishes
 * (password resets, error notifications, lead confirmations) is found only when a person
 * misses it; `off` stays possible for an environment that must not send, and the app layer
 * then warns on every run. The relay's password, when it has a login, is the data layer's
 * operator secret mail-smtp-password, declared here so both layers require it.
 */
import type { ResolvedSystem } from "../blueprints";
import { MAIL_PASSWORD_SECRET } from "../blueprints/mail";
import { declareConfigSecret } from "./configSecrets";
import { setSecretCommand } from "./operatorSecrets";

/** The refusal when the environment sends mail and no relay is given; undefined when fine. */
export function mailProblem(system: ResolvedSystem, blueprint: string): string | undefined {
  const mail = system.app.mail;
  if (!mail || system.environment === "dev" || !mail.senders.length) return undefined;
  if (mail.relay.kind !== "off" || mail.relay.said) return undefined;
  const up = `npm run deploy -- up ${blueprint} ${system.environment}`;
  return (
    `shipyard:mail: required in ${system.environment}: ${mail.senders.join(", ")} send mail (password resets, notifications) and no SMTP relay is set; ` +
    `set it with: pulumi config set shipyard:mail '{"host":"smtp.example.com","port":587,"user":"…","tls":"starttls"}' on both layers' stacks ` +
    `(${system.stacks.data} in stacks/data, ${system.stacks.app}), the password with: ${setSecretCommand(MAIL_PASSWORD_SECRET, system.stacks.data)}  ` +
    `(or: ${up} --set mail='{"host":"smtp.example.com","port":587,"user":"…"}' --secret ${MAIL_PASSWORD_SECRET}); ` +
    `allowed: an object { host, port, user?, tls: starttls|tls|none, from? }, or "off" to deploy without outgoing mail (--set mail=off)`
  );
}

/** The operator secret mail-smtp-password, where the relay has a login and something sends. */
export function declareMailSecret(system: ResolvedSystem): void {
  const mail = system.app.mail;
  if (!mail?.senders.length || mail.relay.kind !== "relay" || !mail.relay.relay.user) return;
  declareConfigSecret(
    system,
    MAIL_PASSWORD_SECRET,
    `the SMTP relay's password for user ${JSON.stringify(mail.relay.relay.user)} (shipyard:mail.user)`,
  );
}

/** The app layer's warning when mail is off on purpose where something sends; undefined otherwise. */
export function mailOffWarning(system: ResolvedSystem): string | undefined {
  const mail = system.app.mail;
  if (!mail?.senders.length || mail.relay.kind !== "off" || !mail.relay.said) return undefined;
  return `shipyard:mail is off: ${mail.senders.join(", ")} send no mail in ${system.environment} (password resets, notifications and confirmations are dropped); set shipyard:mail to an SMTP relay to deliver them`;
}
