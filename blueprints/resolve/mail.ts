/** Outgoing mail: each sender's settings in its image's form, from the relay of this environment (blueprints/mail.ts). */
import type { JobSpec, ServiceSpec } from "../../components/app/types";
import { MAIL_SINK_IMAGES } from "../alerts";
import { mailSettings, sinkRelay, type MailRelay, type MailUse } from "../mail";
import type { ResolveContext } from "./context";
import { OverrideError } from "./overrides";
import type { ResolvedSystem, ResolveOptions } from "./types";

type Sender = ServiceSpec | JobSpec;

/** The relay the senders use: the stack's, else the dev sink in dev; none (`off`) otherwise. */
function relayOf(
  ctx: ResolveContext,
  services: ServiceSpec[],
  given: ResolveOptions["mail"],
): NonNullable<ResolvedSystem["app"]["mail"]>["relay"] {
  if (given === "off") return { kind: "off", said: true };
  if (given) return { kind: "relay", relay: given };
  const sink = ctx.bp.app.services.find(
    (s) => MAIL_SINK_IMAGES.includes(s.image) && services.some((x) => x.name === s.name),
  );
  if (ctx.env === "dev" && sink) return { kind: "sink", relay: sinkRelay(sink.name) };
  return { kind: "off", said: false };
}

function apply(ctx: ResolveContext, s: Sender, use: MailUse, relay: MailRelay, field: string): void {
  const filled = {
    ...use,
    from: use.from === undefined ? undefined : ctx.fill(use.from, `${field}.mail.from`),
  };
  const m = mailSettings(filled, relay);
  if ("problem" in m) throw new OverrideError(`${m.problem} (${field} sends mail in the ${use.form} form)`);
  const env = { ...(s.env ?? {}) };
  for (const d of m.drop) delete env[d];
  s.env = { ...env, ...m.env };
  if (Object.keys(m.secretEnv).length) s.secretEnv = { ...(s.secretEnv ?? {}), ...m.secretEnv };
  if (m.entrypoint && s.entrypoint === undefined) s.entrypoint = m.entrypoint;
}

/**
 * Fills the senders' mail settings (services and jobs that declare `mail`) in place and says
 * which relay they use and who they are; a form that cannot express the relay is refused.
 */
export function resolveMail(
  ctx: ResolveContext,
  services: ServiceSpec[],
  jobs: JobSpec[],
  given: ResolveOptions["mail"],
): ResolvedSystem["app"]["mail"] {
  const relay = relayOf(ctx, services, given);
  const senders: string[] = [];
  const each = (list: Sender[], declared: { name: string; mail?: MailUse }[], prefix: string) => {
    for (const s of list) {
      const i = declared.findIndex((d) => d.name === s.name);
      const use = declared[i]?.mail;
      if (!use) continue;
      senders.push(s.name);
      if (relay.kind !== "off") apply(ctx, s, use, relay.relay, `${prefix}[${i}] (${s.name})`);
    }
  };
  each(services, ctx.bp.app.services, "app.services");
  each(jobs, ctx.bp.app.jobs, "app.jobs");
  return { relay, senders };
}
