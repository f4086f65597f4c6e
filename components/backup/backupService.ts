import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { workload, type Workload } from "../swarm";
import {
  checkNamePart,
  containerBaseline,
  dockerHealthcheck,
  dockerLabels,
  LABELS_AT_CREATE,
  resourceName,
  type Ownership,
} from "../shared";
import { renderCrontab, validateCron } from "./render/cron";
import { renderVerifyScript } from "./render/verify";
import {
  METRICS_DIR,
  renderBackupScript,
  renderRestoreScript,
  REPO_DIR,
  SECRETS,
  secretFileName,
} from "./render/scripts";
import type { BackupServiceArgs } from "./types";
import { DEFAULT_READ_DATA_SUBSET, validateVerify } from "./verifyOptions";

/**
 * Scheduled backups with restic: consistent database dumps (MariaDB,
 * PostgreSQL), Redis RDB snapshots and plain volumes, to a backup volume or an
 * S3-compatible bucket, with retention, checksums, metrics for the monitoring
 * stack, and a restore command (`shipyard-restore TARGET [SNAPSHOT]`).
 */
export class BackupService extends pulumi.ComponentResource {
  /** Its container, or in Swarm mode its service. */
  public readonly container: Workload;
  /** Volume holding the Prometheus textfile metrics (for node-exporter). */
  public readonly metricsVolume: docker.Volume;
  /** The repository volume (volume repositories only). */
  public readonly repositoryVolume?: docker.Volume;
  public readonly backupScript: string;
  public readonly restoreScript: string;
  /** `shipyard-verify`, when the service verifies its backups. */
  public readonly verifyScript?: string;

  constructor(name: string, args: BackupServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("shipyard:app:BackupService", name, {}, opts);
    checkNamePart("system", args.system);
    checkNamePart("environment", args.environment);
    validateCron(args.schedule);
    if (args.verify) validateVerify(args.verify);
    if (!Number.isInteger(args.retentionDays) || args.retentionDays < 1) {
      throw new Error(
        `backup retentionDays is ${args.retentionDays}; allowed: a whole number of days, at least 1`,
      );
    }
    const refs = new Set<string>();
    if (!args.secretKeys.includes(args.passwordRef))
      throw new Error(
        `backup repository password "${args.passwordRef}" is not among the data layer's secrets; deploy the data layer with this version first (it generates and keeps the key); allowed: ${args.secretKeys.join(", ")}`,
      );
    for (const t of args.targets) {
      if (t.kind === "bucket") {
        refs.add(t.accessKeyRef);
        refs.add(t.secretKeyRef);
      } else if (t.kind !== "volume") refs.add(t.passwordRef);
    }
    if (args.repository.kind === "s3") {
      refs.add(args.repository.accessKeyRef);
      refs.add(args.repository.secretKeyRef);
    }
    if (args.offsite) {
      refs.add(args.offsite.accessKeyRef);
      refs.add(args.offsite.secretKeyRef);
    }
    for (const r of refs) {
      if (!args.secretKeys.includes(r)) {
        throw new Error(
          `backup refers to secret "${r}", which does not exist; allowed: ${args.secretKeys.join(", ")}`,
        );
      }
    }
    const owner = (role: string): Ownership => ({
      system: args.system,
      environment: args.environment,
      layer: "app",
      component: "backup",
      role,
    });
    const n = (p: string) => resourceName(args.system, args.environment, p);

    this.backupScript = renderBackupScript(args);
    this.restoreScript = renderRestoreScript(args);
    if (args.verify) {
      this.verifyScript = renderVerifyScript({
        ...args,
        readDataSubset: args.verify.readDataSubset ?? DEFAULT_READ_DATA_SUBSET,
        drill: args.verify.drill,
      });
    }
    this.metricsVolume = new docker.Volume(
      `${name}-backup-metrics`,
      { name: n("backup-metrics"), labels: dockerLabels(owner("backup-metrics"), args.labels) },
      { parent: this, ...LABELS_AT_CREATE },
    );
    const volumes: docker.types.input.ContainerVolume[] = [
      { volumeName: this.metricsVolume.name, containerPath: METRICS_DIR },
    ];
    if (args.repository.kind === "volume") {
      this.repositoryVolume = new docker.Volume(
        `${name}-backups`,
        { name: n("backups"), labels: dockerLabels(owner("backups"), args.labels) },
        // Kept when the app layer is destroyed: its next deploy adopts the volume of the same
        // name, which the data layer's key (passwordRef) still opens.
        { parent: this, protect: args.protect ?? false, retainOnDelete: true, ...LABELS_AT_CREATE },
      );
      volumes.push({ volumeName: this.repositoryVolume.name, containerPath: REPO_DIR });
    }
    for (const t of args.targets) {
      if (t.kind === "volume") volumes.push({ volumeName: t.volume, containerPath: `/volumes/${t.volume}` });
    }
    const secrets = pulumi.output(args.secrets);
    // The data layer's key: destroying or replacing this service keeps the repository open.
    const resticPassword = pulumi.secret(secrets.apply((m) => m[args.passwordRef]));
    this.container = workload(
      `${name}-backup`,
      {
        name: n("backup"),
        image: args.image,
        command: ["cron", "-f"],
        uploads: [
          { file: "/usr/local/bin/shipyard-backup", content: this.backupScript, executable: true },
          { file: "/usr/local/bin/shipyard-restore", content: this.restoreScript, executable: true },
          ...(this.verifyScript
            ? [{ file: "/usr/local/bin/shipyard-verify", content: this.verifyScript, executable: true }]
            : []),
          {
            file: "/etc/cron.d/shipyard-backup",
            content: renderCrontab(args.schedule, args.verify?.schedule, args.offsite !== undefined),
            permissions: "0644",
          },
          { file: `${SECRETS}/restic-password`, content: resticPassword, permissions: "0400" },
          ...[...refs].sort().map((r) => ({
            file: `${SECRETS}/${secretFileName(r)}`,
            content: pulumi.secret(secrets.apply((m) => m[r])),
            permissions: "0400",
          })),
        ],
        volumes,
        networksAdvanced: args.networks.map((net) => ({ name: net })),
        labels: dockerLabels(owner("backup"), {
          ...args.labels,
          "io.shipyard.backup.schedule": args.schedule,
          "io.shipyard.backup.retention-days": String(args.retentionDays),
          ...(args.verify ? { "io.shipyard.backup.verify-schedule": args.verify.schedule } : {}),
        }),
        healthcheck: dockerHealthcheck({
          command: ["sh", "-c", "test -s /etc/cron.d/shipyard-backup && kill -0 1"],
        }),
        ...containerBaseline(),
        wait: true,
      },
      {
        settings: args.swarm,
        engine: args.dockerEngine,
        role: "singleton",
        configFiles: [
          "/usr/local/bin/shipyard-backup",
          "/usr/local/bin/shipyard-restore",
          ...(this.verifyScript ? ["/usr/local/bin/shipyard-verify"] : []),
          "/etc/cron.d/shipyard-backup",
        ],
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
