/**
 * The off-site backup repository: stack config shipyard:backupOffsite validated before anything
 * runs (errors name the field), its keys required as operator secrets of the data layer, and the
 * rendered scripts: every dump also stored off-site with the same tags, retention there too, and
 * SHIPYARD_REPOSITORY=offsite making shipyard-restore read it.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  renderBackupScript,
  renderCrontab,
  renderRestoreScript,
  renderVerifyScript,
  type BackupTarget,
} from "../../components/backup";
import { loadStack, parseConfig } from "../../stacks/config";
import { dataInputs } from "../../stacks/data/inputs";
import { OFFSITE_SECRETS, offsiteRepository } from "../../stacks/backupOffsite";
import { parseArgs } from "../../cli/argv/parse";
import { repositoryEnv } from "../../cli/engine/backups";
import { dataKeysForSites } from "../../stacks/site/siteBackup";

const base = {
  "shipyard:blueprint": "demo",
  "shipyard:environment": "prod",
  "shipyard:alerts": "off",
  "shipyard:imageSet": "local",
};
const offsite = { endpoint: "https://s3.eu-central-003.backblazeb2.com", bucket: "acme-backups" };
const withOffsite = (o: unknown, extra: Record<string, string> = {}) => ({
  ...base,
  "shipyard:backupOffsite": JSON.stringify(o),
  ...extra,
});

describe("shipyard:backupOffsite", () => {
  test("endpoint, bucket, path and networks parse; the path defaults to <system>-<env>", () => {
    const c = parseConfig(withOffsite({ ...offsite, networks: ["vpn-gw"] }));
    expect(c.backupOffsite).toEqual({ ...offsite, networks: ["vpn-gw"] });
    expect(offsiteRepository(c.backupOffsite!, "demo", "prod")).toEqual({
      kind: "s3",
      url: "https://s3.eu-central-003.backblazeb2.com/acme-backups/demo-prod",
      accessKeyRef: "operator/backup-offsite-access-key",
      secretKeyRef: "operator/backup-offsite-secret-key",
    });
    const p = parseConfig(
      withOffsite({ ...offsite, endpoint: "http://offsite:9000/", path: "shipyard/demo" }),
    );
    expect(offsiteRepository(p.backupOffsite!, "demo", "prod").url).toBe(
      "http://offsite:9000/acme-backups/shipyard/demo",
    );
  });

  test.each([
    [{ ...offsite, endpoint: "s3.example.org" }, "shipyard:backupOffsite.endpoint: is not allowed; allowed: http(s)://host[:port]"],
    [{ ...offsite, endpoint: "https://s3.example.org/bucket" }, "shipyard:backupOffsite.endpoint: is not allowed"],
    [{ ...offsite, bucket: "Acme_Backups" }, "shipyard:backupOffsite.bucket: is not allowed; allowed: an S3 bucket name"],
    [{ ...offsite, path: "../up" }, "shipyard:backupOffsite.path: is not allowed"],
    [{ ...offsite, path: 'a"b' }, "shipyard:backupOffsite.path: is not allowed"],
    [{ endpoint: offsite.endpoint }, "shipyard:backupOffsite.bucket: required"],
    [{ ...offsite, region: "eu" }, "shipyard:backupOffsite.region: unknown key; allowed: shipyard:backupOffsite.endpoint, shipyard:backupOffsite.bucket, shipyard:backupOffsite.path, shipyard:backupOffsite.networks"],
  ])("%j is refused, naming the field", (o, message) => {
    expect(() => parseConfig(withOffsite(o))).toThrow(message);
  }); // prettier-ignore

  test("an environment without backups refuses it", () => {
    expect(() => loadStack(withOffsite(offsite, { "shipyard:environment": "dev" }))).toThrow(
      "shipyard:backupOffsite: demo has no backup in dev (blueprints/demo.ts, app.backup); allowed: only where app.backup runs",
    );
  });

  test("the data layer requires its keys as operator secrets, naming the key and the command", () => {
    expect(() => dataInputs(withOffsite(offsite), "demo-db-prod")).toThrow(
      /shipyard:operatorSecrets\.backup-offsite-access-key: required in prod and not set \(the access key of the off-site bucket acme-backups at https:\/\/s3\.eu-central-003\.backblazeb2\.com\); set it with: pulumi config set --secret --path 'shipyard:operatorSecrets\.backup-offsite-access-key' <value> -C stacks\/data -s demo-db-prod {2}\(or: npm run deploy -- up demo prod --secret backup-offsite-access-key\)/,
    );
    const given = withOffsite(offsite, {
      [`shipyard:operatorSecrets.${OFFSITE_SECRETS.accessKey}`]: "AKIA-example",
      [`shipyard:operatorSecrets.${OFFSITE_SECRETS.secretKey}`]: "secret-example",
    });
    const d = dataInputs(given);
    expect(d.contract.secretKeys).toEqual(
      expect.arrayContaining(["operator/backup-offsite-access-key", "operator/backup-offsite-secret-key"]),
    );
    expect(d.args.operatorSecrets?.map((o) => o.name)).toEqual(
      expect.arrayContaining(["backup-offsite-access-key", "backup-offsite-secret-key"]),
    );
    // Without the off-site config, the same keys are typos the data layer refuses.
    expect(() =>
      dataInputs({ ...base, [`shipyard:operatorSecrets.${OFFSITE_SECRETS.accessKey}`]: "AKIA-example" }),
    ).toThrow("shipyard:operatorSecrets.backup-offsite-access-key: not an operator secret of demo in prod");
  });
});

describe("the rendered scripts with an off-site repository", () => {
  const targets: BackupTarget[] = [
    { kind: "mariadb", host: "mariadb", port: 3306, database: "shop", passwordRef: "mariadb/root" },
    { kind: "volume", volume: "shop-prod-uploads" },
  ];
  const repo = offsiteRepository(offsite, "shop", "prod");
  const o = { targets, repository: { kind: "volume" as const }, system: "shop", environment: "prod" };
  const backup = renderBackupScript({ ...o, retentionDays: 7, offsite: repo });
  const restore = renderRestoreScript({ ...o, offsite: repo });
  const bashOk = (text: string) => {
    const f = path.join(mkdtempSync(path.join(tmpdir(), "offsite-")), "script");
    writeFileSync(f, text);
    return execFileSync("bash", ["-n", f], { encoding: "utf8" });
  };

  test("both are valid bash", () => {
    expect(bashOk(backup)).toBe("");
    expect(bashOk(restore)).toBe("");
  });

  test("the backup stores each dump off-site with the local snapshot's tags, keys read from files", () => {
    expect(backup).toContain(
      'export RESTIC_REPOSITORY="s3:https://s3.eu-central-003.backblazeb2.com/acme-backups/shop-prod"',
    );
    expect(backup).toContain(
      'export AWS_ACCESS_KEY_ID="$(cat /run/secrets/operator_backup-offsite-access-key)"',
    );
    expect(backup).toContain('offsite_one "$name" "$file" "$tmp" "${tags[@]}"');
    expect(backup).toMatch(/restic init/);
    expect(backup).toContain('shipyard_backup_last_status{target="%s",repository="offsite"} 1');
    // Retention off-site too, per target.
    expect(backup).toContain("--tag volume-shop-prod-uploads --group-by host --keep-daily 7 --keep-last 1");
    expect(backup.match(/--tag mariadb-mariadb-shop --group-by host/g)).toHaveLength(2);
    // The key never appears: it is the data layer's, read from its file.
    expect(backup).not.toMatch(/AKIA|secret-example/);
  });

  test("without one, the backup renders no off-site step and the restore refuses SHIPYARD_REPOSITORY=offsite", () => {
    const plain = renderBackupScript({ ...o, retentionDays: 7 });
    expect(plain).toContain("offsite_one() { :; }");
    expect(plain).not.toContain("use_offsite");
    const r = renderRestoreScript(o);
    expect(r).toContain("this environment has no off-site repository (stack config shipyard:backupOffsite)");
    expect(bashOk(r)).toBe("");
  });

  test("the restore switches repository by SHIPYARD_REPOSITORY, refusing other values", () => {
    expect(restore).toContain('case "${SHIPYARD_REPOSITORY:-local}" in');
    expect(restore).toContain("offsite) use_offsite || exit 2 ;;");
    expect(restore).toContain("is not allowed; allowed: local, offsite");
    expect(restore.indexOf("use_offsite || exit 2")).toBeLessThan(restore.indexOf("--list)"));
  });
});

describe("the scheduled verification of the off-site repository", () => {
  const targets: BackupTarget[] = [{ kind: "redis", host: "redis", port: 6379, passwordRef: "redis" }];
  const o = { targets, repository: { kind: "volume" as const }, system: "shop", environment: "prod" };
  const verify = renderVerifyScript({
    ...o,
    readDataSubset: "500M",
    offsite: offsiteRepository(offsite, "shop", "prod"),
  });

  test("SHIPYARD_REPOSITORY=offsite checks the copy, its results in their own file, labelled", () => {
    const f = path.join(mkdtempSync(path.join(tmpdir(), "offsite-")), "verify");
    writeFileSync(f, verify);
    expect(execFileSync("bash", ["-n", f], { encoding: "utf8" })).toBe("");
    expect(verify).toContain("offsite) use_offsite || exit 2 ;;");
    expect(verify).toContain(
      "out_file=/metrics/shipyard_backup_verify_offsite.prom; repo_label=',repository=\"offsite\"'; repo_only='{repository=\"offsite\"}'",
    );
    expect(verify).toContain('shipyard_backup_verify_last_status{target="%s"%s} %s');
    expect(verify).toContain('mv "$metrics" "$out_file"');
  });

  test("the crontab verifies the copy after the local repository, in the same run", () => {
    const cron = renderCrontab("0 2 * * *", "30 4 * * *", true);
    expect(cron).toContain(
      "30 4 * * * root /usr/local/bin/shipyard-verify >/proc/1/fd/1 2>/proc/1/fd/2; SHIPYARD_REPOSITORY=offsite /usr/local/bin/shipyard-verify >/proc/1/fd/1 2>/proc/1/fd/2",
    );
    expect(renderCrontab("0 2 * * *", "30 4 * * *")).not.toContain("offsite");
  });
});

describe("restore --from", () => {
  test("offsite sets SHIPYARD_REPOSITORY for the backup container; local sets nothing", () => {
    expect(parseArgs(["restore", "demo", "prod", "--from", "offsite"]).flags.from).toBe("offsite");
    expect(repositoryEnv("offsite")).toEqual(["-e", "SHIPYARD_REPOSITORY=offsite"]);
    expect(repositoryEnv("local")).toEqual([]);
    expect(repositoryEnv()).toEqual([]);
  });

  test("--site names a per-customer site's backups (<customer>-<app>)", () => {
    expect(parseArgs(["restore", "webmeteor", "prod", "--site", "acme/shop"]).flags.site).toBe("acme-shop");
  });
});

describe("a per-customer site's backups", () => {
  test("its off-site repository is a sibling prefix of the environment's, a repository of its own", () => {
    expect(offsiteRepository(offsite, "webmeteor", "prod", "acme-shop").url).toBe(
      "https://s3.eu-central-003.backblazeb2.com/acme-backups/webmeteor-prod-site-acme-shop",
    );
    expect(offsiteRepository({ ...offsite, path: "wm/prod" }, "webmeteor", "prod", "acme-shop").url).toBe(
      "https://s3.eu-central-003.backblazeb2.com/acme-backups/wm/prod-site-acme-shop",
    );
  });

  test("it reads the environment's key (and the off-site keys) from the data layer", () => {
    expect(dataKeysForSites(false)).toEqual(["backup/repository-password"]);
    expect(dataKeysForSites(true)).toEqual([
      "backup/repository-password",
      "operator/backup-offsite-access-key",
      "operator/backup-offsite-secret-key",
    ]);
  });
});
