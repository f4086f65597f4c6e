/** The backup section: image, schedule, retention, volumes and repository, when it runs in this environment. */
import { resolveVerify } from "../backupVerify";
import type { ResolveContext } from "./context";
import type { ResolvedSystem } from "./types";

export function resolveBackup(ctx: ResolveContext): ResolvedSystem["app"]["backup"] {
  const bk = ctx.bp.app.backup;
  if (!bk || !ctx.present(bk)) return undefined;
  const backup = {
    image: ctx.image(bk.image, "app.backup.image"),
    schedule: ctx.pick(bk.schedule)!,
    retentionDays: ctx.pick(bk.retentionDays)!,
    volumes: bk.volumes ?? [],
    exclude: bk.exclude ?? [],
    repository: bk.repository,
    networks: bk.networks ?? ctx.networkKeys,
    verify: resolveVerify(ctx.pick(bk.verify), ctx.env),
  };
  ctx.checkNets(backup.networks, "app.backup.networks");
  return backup;
}
