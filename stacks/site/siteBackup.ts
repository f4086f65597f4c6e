/**
 * A per-customer site's own backups (WebMeteor): where the environment backs up (the
 * blueprint's app.backup in this environment), each site stack runs a BackupService of its
 * own, named for the site (`<customer>-<app>-<env>-backup`), on the site's network, dumping the
 * site's databases into its own repository volume (`<customer>-<app>-<env>-backups`, kept when
 * the site is removed), and, with shipyard:backupOffsite, into a repository of its own in the
 * off-site bucket (`<path>-site-<customer>-<app>`). The repository key is the environment's:
 * the data layer's `backup/repository-password`, read from its stack like the app layer does,
 * so removing and re-adding a site keeps opening the site's repository. Restore one site with
 * `npm run deploy -- restore <blueprint> <env> --site <customer>/<app>`.
 */
import * as pulumi from "@pulumi/pulumi";
import { BackupService } from "../../components/backup";
import type { DatabaseStack } from "../../components/database";
import type { EngineFacts } from "../../components/shared/engine";
import { swarmOf, type loadStack } from "../config";
import { BACKUP_KEY_REF, dataStackName } from "../contract";
import { OFFSITE_SECRETS, offsiteRepository } from "../backupOffsite";
import { backupTargets } from "../app/backupTargets";

/** The secret keys a site's backup service reads from the environment's data layer. */
export function dataKeysForSites(offsite: boolean): string[] {
  return [
    BACKUP_KEY_REF,
    ...(offsite ? [`operator/${OFFSITE_SECRETS.accessKey}`, `operator/${OFFSITE_SECRETS.secretKey}`] : []),
  ];
}

/** The site's BackupService, or undefined where the environment has no backup. */
export async function siteBackup(
  { config, system }: ReturnType<typeof loadStack>,
  db: DatabaseStack,
  siteSecretKeys: string[],
  o: { protect: boolean; dockerEngine: EngineFacts },
): Promise<BackupService | undefined> {
  const bk = system.app.backup;
  const site = system.site;
  if (!bk || !site) return undefined;
  const dataStack = dataStackName(pulumi.getOrganization(), config.dataStack ?? system.stacks.data);
  const data = new pulumi.StackReference(`${site.name}-environment-data`, { name: dataStack });
  const fromData = dataKeysForSites(config.backupOffsite !== undefined);
  const held = ((await data.getOutputDetails("secrets")).secretValue ?? {}) as Record<string, string>;
  // Checked before any resource: the environment's data layer holds the key (and the off-site keys).
  const missing = fromData.filter((k) => held[k] === undefined);
  if (missing.length > 0 && !pulumi.runtime.isDryRun())
    throw new Error(
      `the data stack ${dataStack} has no ${missing.join(", ")}: deploy the environment (both layers, the same shipyard:backupOffsite) with this version before its sites`,
    );
  const secrets = pulumi.secret(
    db.secrets.apply((own) => ({
      ...own,
      ...Object.fromEntries(fromData.map((k) => [k, held[k] ?? "(set by the data layer)"])),
    })),
  );
  return new BackupService(
    site.name,
    {
      system: site.name,
      environment: system.environment,
      image: bk.image,
      schedule: bk.schedule,
      retentionDays: bk.retentionDays,
      targets: backupTargets(
        { endpoints: db.endpoints },
        { exclude: bk.exclude, volumes: [], volumeName: (v) => v },
      ),
      repository: { kind: "volume" },
      offsite:
        config.backupOffsite &&
        offsiteRepository(config.backupOffsite, system.system, system.environment, site.name),
      networks: [db.networks.apply((n) => n.network), ...(config.backupOffsite?.networks ?? [])],
      secrets,
      secretKeys: [...siteSecretKeys, ...fromData],
      passwordRef: BACKUP_KEY_REF,
      verify: bk.verify,
      protect: o.protect,
      labels: config.labels,
      swarm: swarmOf(config),
      dockerEngine: o.dockerEngine,
    },
    { dependsOn: [db] },
  );
}
