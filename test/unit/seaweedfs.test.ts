/**
 * The SeaweedFS object-store kind: its container plan as the upstream image runs it (`server
 * -filer -s3`, S3 on 8333, the keys in the `-s3.config` identities file rendered from both
 * secrets, GET /healthz), the same file in the compose export, buckets created with the keys
 * read back from that file, its buckets as backup targets, CEP and demo prod using it, and a
 * kind the schema does not know refused naming the allowed ones.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { BLUEPRINTS, resolve } from "../../blueprints";
import { renderCompose } from "../../cli/compose/render";
import { targetName } from "../../components/backup";
import { objectStorePlan } from "../../components/database/plans";
import { seaweedfsS3Config, seaweedfsUserExpr } from "../../components/database/seaweedfs";
import { bucketScript } from "../../components/database/databaseStack";
import { backupTargets } from "../../stacks/app/backupTargets";
import { expectedContract, secretKeysOf } from "../../stacks/contract";

const store = { name: "s3", kind: "seaweedfs" as const, image: "chrislusf/seaweedfs:4.53", buckets: ["up"] };

describe("SeaweedFS plan", () => {
  const plan = objectStorePlan(store);

  test("runs `server -filer -s3` as upstream's entrypoint takes it, S3 on 8333, data in /data", () => {
    expect(plan.engine).toBe("seaweedfs");
    expect(plan.command).toEqual([
      "server",
      "-filer",
      "-s3",
      "-s3.port=8333",
      "-s3.config=/run/secrets/seaweedfs-s3.json",
    ]);
    expect(plan.dataPath).toBe("/data");
    expect(plan.env).toBeUndefined();
    expect(plan.health.command.join(" ")).toContain("http://127.0.0.1:8333/healthz");
  });

  test("its only secret file is the identities file, rendered from both keys", () => {
    expect(plan.files.map((f) => [f.path, f.key, f.also])).toEqual([
      ["/run/secrets/seaweedfs-s3.json", "s3/secret-key", ["s3/access-key"]],
    ]);
    const text = plan.files[0].render!("SECRET123", { "s3/access-key": "ACCESS456" });
    expect(JSON.parse(text)).toEqual({
      identities: [
        {
          name: "shipyard",
          credentials: [{ accessKey: "ACCESS456", secretKey: "SECRET123" }],
          actions: ["Admin", "Read", "List", "Tagging", "Write"],
        },
      ],
    });
  });

  test("the bucket script signs with the keys it reads back from the identities file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "swfs-"));
    const file = path.join(dir, "seaweedfs-s3.json");
    writeFileSync(file, seaweedfsS3Config("AKEY0000000000000001", "s3cr3tValue"));
    const user = execFileSync("sh", ["-c", `echo "${seaweedfsUserExpr(dir)}"`], { encoding: "utf8" });
    expect(user.trim()).toBe("AKEY0000000000000001:s3cr3tValue");
    const script = bucketScript(store);
    expect(script).toContain("-X PUT http://127.0.0.1:8333/up)");
    expect(script).toContain(seaweedfsUserExpr("/run/secrets"));
    // MinIO keeps its two key files and port.
    expect(bucketScript({ ...store, kind: "minio" })).toContain(
      '--user "$(cat /run/secrets/minio-access-key):$(cat /run/secrets/minio-secret-key)"',
    );
    expect(bucketScript({ ...store, kind: undefined })).toContain("http://127.0.0.1:9000/up)");
  });
});

describe("CEP and demo prod on SeaweedFS", () => {
  test("CEP: its store is SeaweedFS in both environments, the backup repository in its bucket", () => {
    for (const environment of ["dev", "prod"] as const) {
      const s = resolve(BLUEPRINTS.cep, { environment, imageSet: "upstream" });
      expect(s.data.objectStores).toEqual([
        expect.objectContaining({ name: "seaweedfs", kind: "seaweedfs", image: "chrislusf/seaweedfs:4.53" }),
      ]);
      expect(s.app.backup?.repository).toMatchObject({ url: "http://seaweedfs:8333/cep-backups" });
      const contract = expectedContract(s);
      expect(contract.endpoints.seaweedfs).toMatchObject({ engine: "seaweedfs", port: 8333 });
      expect(secretKeysOf(s)).toEqual(
        expect.arrayContaining(["seaweedfs/access-key", "seaweedfs/secret-key"]),
      );
      const targets = backupTargets(contract, {
        exclude: [],
        volumes: [],
        volumeName: (v) => v,
        repository: s.app.backup?.repository,
      });
      expect(targets.map(targetName)).toContain("bucket-seaweedfs-cep-uploads");
      expect(targets.map(targetName)).not.toContain("bucket-seaweedfs-cep-backups");
    }
    const local = resolve(BLUEPRINTS.cep, { environment: "prod", imageSet: "local" });
    expect(local.data.objectStores[0].image).toBe("shipyard/seaweedfs:bookworm");
  });

  test("demo: a SeaweedFS store in prod only, its bucket a backup target", () => {
    const prod = resolve(BLUEPRINTS.demo, { environment: "prod", imageSet: "upstream" });
    expect(prod.data.objectStores.map((o) => [o.name, o.kind, o.buckets])).toEqual([
      ["seaweedfs", "seaweedfs", ["demo-uploads"]],
    ]);
    const targets = backupTargets(expectedContract(prod), { exclude: [], volumes: [], volumeName: (v) => v });
    expect(targets.map(targetName)).toContain("bucket-seaweedfs-demo-uploads");
    for (const environment of ["dev", "staging"] as const)
      expect(resolve(BLUEPRINTS.demo, { environment, imageSet: "upstream" }).data.objectStores).toEqual([]);
  });

  test("the compose export mounts the identities file with both keys, and no key in the compose file", () => {
    const system = resolve(BLUEPRINTS.demo, { environment: "prod", imageSet: "local" });
    const secrets = Object.fromEntries(secretKeysOf(system).map((k) => [k, `pw-${k.replace(/\W/g, "")}`]));
    const out = renderCompose(system, { secrets, labels: {} });
    const svc = (out.compose.services as Record<string, { command?: string[]; volumes?: string[] }>)
      .seaweedfs;
    expect(svc.command).toContain("-s3.config=/run/secrets/seaweedfs-s3.json");
    const file = out.files.find((f) => f.path.endsWith("seaweedfs-s3.json"));
    expect(JSON.parse(file!.content).identities[0].credentials).toEqual([
      { accessKey: "pw-seaweedfsaccesskey", secretKey: "pw-seaweedfssecretkey" },
    ]);
    expect(JSON.stringify(out.compose)).not.toContain("pw-seaweedfs");
  });
});

test("a kind the schema does not know is refused, naming the field and the allowed kinds", () => {
  const bad = structuredClone(BLUEPRINTS.cep);
  (bad.data.objectStores![0] as { kind: string }).kind = "garage";
  expect(() => resolve(bad, { environment: "dev", imageSet: "upstream" })).toThrow(
    /data\.objectStores\.0\.kind.*'minio' \| 'seaweedfs'/s,
  );
});
