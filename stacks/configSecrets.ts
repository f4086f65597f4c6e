/**
 * Operator secrets that the stack config calls for, besides the blueprint's own: the DNS-01
 * challenge's TSIG secret (with shipyard:tls.dns), the SMTP relay's password (with
 * shipyard:alerts email.user), the Slack webhook's URL (with shipyard:alerts slack) and the off-site bucket's keys (with shipyard:backupOffsite,
 * stacks/backupOffsite.ts). `loadStack` declares them, required, wherever the config needs them,
 * so both layers agree: the data layer refuses to run without them (naming the key and the
 * command), the app layer finds them as `operator/<name>` in the data layer's secrets.
 *
 * The TSIG secret and the SMTP password used to be app-stack config keys
 * (shipyard:tlsDnsTsigSecret, shipyard:alertSmtpPassword). Those keys are refused, naming the
 * new one: the data layer cannot read the app stack's config, so accepting the old key would
 * leave the data layer either requiring a secret the operator had set elsewhere or never
 * requiring it (a missing one found by the app layer only after the data layer had changed).
 */
import type { ResolvedSystem } from "../blueprints";
import { TSIG_SECRET } from "../components/proxy/dnsChallenge";
import { setSecretCommand } from "./operatorSecrets";

/** The DNS-01 challenge's TSIG key secret (base64), for shipyard:tls.dns. */
export const TSIG_SECRET_NAME = "tls-dns-tsig-secret";
/** The SMTP relay's password, for shipyard:alerts email.user. */
export const SMTP_PASSWORD_NAME = "alert-smtp-password";
/** The Slack-compatible incoming webhook's URL (it holds the token), for shipyard:alerts slack. */
export const SLACK_URL_NAME = "alert-slack-webhook-url";

/**
 * The backup repository's key given by the operator instead of the generated one: the key printed
 * for safekeeping, given when an environment is re-created from nothing to open its off-site
 * backups (`--secret backup-repository-password`). Accepted where the environment backs up.
 */
export const BACKUP_KEY_SECRET = "backup-repository-password";

/** The old app-stack config keys and the operator secrets that replace them. */
export const MOVED_KEYS = {
  tlsDnsTsigSecret: TSIG_SECRET_NAME,
  alertSmtpPassword: SMTP_PASSWORD_NAME,
} as const;

/** The refusal of an old key that is still set: what to remove and what to set instead. */
export function movedKeyProblems(
  config: Partial<Record<keyof typeof MOVED_KEYS, unknown>>,
  blueprint: string,
  system: ResolvedSystem,
): string[] {
  return (Object.keys(MOVED_KEYS) as (keyof typeof MOVED_KEYS)[])
    .filter((k) => config[k] !== undefined)
    .map(
      (k) =>
        `shipyard:${k}: moved to the operator secret ${MOVED_KEYS[k]} of the data layer's stack; remove it (pulumi config rm shipyard:${k} -s ${system.stacks.app}) and set it with: ${setSecretCommand(MOVED_KEYS[k], system.stacks.data)}  (or: npm run deploy -- up ${blueprint} ${system.environment} --secret ${MOVED_KEYS[k]})`,
    );
}

/** Declares `name` a required operator secret of this environment, unless the blueprint declares it. */
export function declareConfigSecret(system: ResolvedSystem, name: string, description: string): void {
  if (!system.data.operatorSecrets.some((o) => o.name === name))
    system.data.operatorSecrets.push({ name, description, required: true });
}

/** The TSIG secret and the SMTP password, where the resolved TLS and alert settings call for them. */
export function declareProxyAndAlertSecrets(system: ResolvedSystem): void {
  const tls = system.app.proxy.tls;
  if (tls?.mode === "acme" && tls.dns !== undefined)
    declareConfigSecret(
      system,
      TSIG_SECRET_NAME,
      `the TSIG key ${tls.dns.tsigKey}'s base64 secret, which signs the proxy's DNS updates to ${tls.dns.nameserver} (shipyard:tls.dns)`,
    );
  const user = system.app.monitoring?.alerts?.email?.user;
  if (user)
    declareConfigSecret(
      system,
      SMTP_PASSWORD_NAME,
      `the SMTP relay's password for user ${JSON.stringify(user)} (shipyard:alerts email.user)`,
    );
  if (system.app.monitoring?.alerts?.slack)
    declareConfigSecret(
      system,
      SLACK_URL_NAME,
      "the Slack-compatible incoming webhook's URL alerts are posted to (shipyard:alerts slack)",
    );
}

/** A value's form, where the secret has one (the TSIG secret is base64); never the value in the message. */
export function configSecretFormProblem(name: string, value: string | undefined): string | undefined {
  // The deploy command's checks see "[secret]" or the ciphertext, never the value.
  if (value === undefined || value === "[secret]" || value.startsWith("(ciphertext ")) return undefined;
  if (name === TSIG_SECRET_NAME && !TSIG_SECRET.test(value))
    return `shipyard:operatorSecrets.${name}: (secret) is not allowed; allowed: the TSIG key's base64 secret (at least 16 bytes), as tsig-keygen writes it`;
  return undefined;
}

/**
 * The app layer's check: every operator secret the config calls for is in the data layer's
 * secrets (the data layer was deployed with the same shipyard:tls, alerts and backupOffsite).
 */
export function missingFromData(system: ResolvedSystem, secretKeys: string[], dataStack: string): string[] {
  return system.data.operatorSecrets
    .filter((o) => o.required && !secretKeys.includes(`operator/${o.name}`))
    .map(
      (o) =>
        `operator/${o.name}: the data stack ${dataStack} does not hold it (${o.description}); give the data layer the same shipyard:tls, shipyard:alerts, shipyard:mail and shipyard:backupOffsite as this layer (--set reaches both), set the secret with: ${setSecretCommand(o.name, system.stacks.data)}, and deploy the data layer first`,
    );
}
