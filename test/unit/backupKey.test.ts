/**
 * The backup repository's key belongs to the data layer (Pulumi mocks): generated there,
 * protected in prod, handed over in the secret output and the contract; the app layer's
 * backup service generates none and mounts the data layer's.
 */
import * as pulumi from "@pulumi/pulumi";
import { useFakeEngine } from "./helpers/fakeEngine";
import { setupMocks, type Recorded } from "./helpers/mocks";

useFakeEngine();

let published: Record<string, unknown> = {};
const { resources, transformation } = setupMocks(() => published);
jest.setTimeout(30000);

import { BackupService } from "../../components/backup";
import { DatabaseStack } from "../../components/database";
import { dataInputs } from "../../stacks/data/inputs";
import { dataProgram } from "../../stacks/data/program";
import { appProgram } from "../../stacks/app/program";
import { BACKUP_KEY_REF, type DataContract } from "../../stacks/contract";

const value = <T>(o: unknown): Promise<T> =>
  new Promise((res) => (o as pulumi.Output<T>).apply((v) => res(v)));
const config = (environment: string, extra: Record<string, string> = {}) => ({
  "shipyard:blueprint": "demo",
  "shipyard:environment": environment,
  "shipyard:alerts": "off",
  "shipyard:imageSet": "local",
  ...extra,
});
const passwords = () =>
  resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword").map((r) => r.name);

describe("the backup repository key", () => {
  beforeEach(() => {
    resources.length = 0;
  });

  test("the data layer of an environment with a backup generates it, protected in prod", async () => {
    expect(dataInputs(config("prod")).args.backupKey).toEqual({ ref: BACKUP_KEY_REF });
    expect(dataInputs(config("dev")).args.backupKey).toBeUndefined(); // the demo backs up in prod only
    const db = new DatabaseStack(
      "demo",
      { ...dataInputs(config("prod")).args, backupKey: { ref: BACKUP_KEY_REF } },
      { transformations: [transformation] },
    );
    const secrets = await value<Record<string, string>>(db.secrets);
    expect(secrets[BACKUP_KEY_REF]).toBe("pw-demo-backup-repository-password");
    const key = resources.find((r) => r.name === "demo-backup-repository-password") as Recorded;
    expect(key.protect).toBe(true);
    expect(key.inputs).toMatchObject({ length: 40, special: false });
  });

  test("a key the operator gives (recovery from nothing) is handed over instead; the generated one stays", async () => {
    const given = {
      "shipyard:operatorSecrets.backup-repository-password": "the-key-printed-for-safekeeping",
    };
    const inputs = dataInputs(config("prod", given));
    expect(inputs.args.backupKey).toEqual({ ref: BACKUP_KEY_REF, value: "the-key-printed-for-safekeeping" });
    expect(inputs.args.operatorSecrets?.map((o) => o.name)).not.toContain("backup-repository-password");
    const db = new DatabaseStack("demo", inputs.args, { transformations: [transformation] });
    const secrets = await value<Record<string, string>>(db.secrets);
    expect(secrets[BACKUP_KEY_REF]).toBe("the-key-printed-for-safekeeping");
    // Nothing protected goes: the generated key stays in the state, unused.
    expect(passwords()).toContain("demo-backup-repository-password");
    expect(JSON.stringify(resources)).not.toContain("the-key-printed-for-safekeeping");
    // Where the environment has no backup, it is refused like any undeclared name.
    expect(() => dataInputs(config("dev", given))).toThrow(
      "shipyard:operatorSecrets.backup-repository-password: not an operator secret of demo in dev",
    );
  });

  test("the contract lists it; the app layer's backup service mounts it and generates no key of its own", async () => {
    const out = await dataProgram(config("prod"));
    const contract = await value<DataContract>(out.contract);
    expect(contract.secretKeys).toContain(BACKUP_KEY_REF);
    published = { contract, secrets: await value(out.secrets) };
    resources.length = 0;
    await appProgram(config("prod", { "shipyard:dataStack": "demo-prod" }));
    let backup: Recorded | undefined;
    for (let i = 0; i < 200 && !backup; i++) {
      backup = resources.find(
        (r) => r.type === "docker:index/container:Container" && r.name === "demo-backup",
      );
      if (!backup) await new Promise((res) => setTimeout(res, 50));
    }
    expect(backup).toBeDefined();
    expect(passwords()).toEqual([]);
    const uploads = (backup!.inputs.uploads as { value: { file: string; content: string }[] }).value;
    expect(uploads.find((u) => u.file === "/run/secrets/restic-password")?.content).toBe(
      "pw-demo-backup-repository-password",
    );
  });

  test("a data layer without the key (deployed by an older version) is refused, naming the fix", () => {
    expect(
      () =>
        new BackupService("shop", {
          system: "shop",
          environment: "prod",
          image: "shipyard/backup:bookworm",
          schedule: "0 2 * * *",
          retentionDays: 7,
          targets: [],
          repository: { kind: "volume" },
          networks: [],
          secrets: {},
          secretKeys: ["mariadb/root"],
          passwordRef: BACKUP_KEY_REF,
        }),
    ).toThrow(
      'backup repository password "backup/repository-password" is not among the data layer\'s secrets; deploy the data layer with this version first',
    );
  });
});
