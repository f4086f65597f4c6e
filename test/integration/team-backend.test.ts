import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { labelled, removeLabelled } from "./helpers/docker";
import { randomBytes } from "node:crypto";
import { listKeys, s3, startS3Store, type S3Store } from "./helpers/s3store";
import { freePort } from "./helpers/net";

/**
 * The team backend: Pulumi state in an S3 bucket (SeaweedFS's S3 API, the local S3 server). `pulumi login`
 * into a temporary PULUMI_HOME (your own login is not touched), then up,
 * preview and destroy of a tiny stack, with the state object checked in the
 * bucket through the S3 API.
 */
const run = `t${process.pid}tb`;
const label = `io.shipyard.test=${run}`;
const bucket = `${run}-state`;
const project = "shipyard-team-backend";
const workDir = path.join(__dirname, "..", "fixtures", "team-backend");
const home = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-pulumi-home-"));

describe("team state backend on S3 (SeaweedFS)", () => {
  let store: S3Store;
  let port = 0;
  let env: NodeJS.ProcessEnv;
  const pulumi = (...args: string[]) =>
    execFileSync("pulumi", [...args, "--non-interactive"], {
      cwd: workDir,
      env,
      encoding: "utf8",
      stdio: "pipe",
    });
  const stateKey = `.pulumi/stacks/${project}/${run}.json`;
  const checkpoint = () => {
    const r = s3(store, "GET", `/${bucket}/${stateKey}`);
    expect(r.status).toBe(200);
    return JSON.parse(r.body) as { checkpoint: { latest?: { resources?: { type: string }[] } } };
  };

  beforeAll(async () => {
    port = await freePort();
    const secretKey = randomBytes(12).toString("hex");
    store = await startS3Store({ run, name: "s3", accessKey: `${run}-key`, secretKey, port });
    expect(s3(store, "PUT", `/${bucket}`).status).toBe(200);
    // Plugins are shared with the user's home; login and workspace files stay in the temporary one.
    fs.symlinkSync(path.join(os.homedir(), ".pulumi", "plugins"), path.join(home, "plugins"));
    env = { ...process.env, PULUMI_HOME: home, AWS_ACCESS_KEY_ID: store.accessKey };
    env.AWS_SECRET_ACCESS_KEY = store.secretKey;
    delete env.PULUMI_BACKEND_URL; // the login decides the backend
  });
  afterAll(() => {
    try {
      pulumi("stack", "rm", run, "--yes", "--force");
    } catch {
      // already removed by the test
    }
    removeLabelled(label);
    fs.rmSync(home, { recursive: true, force: true });
  });

  test("login with the 3.259 URL parameters, up, preview, destroy; state lives in the bucket", () => {
    const url = `s3://${bucket}?endpoint=127.0.0.1:${port}&disableSSL=true&s3ForcePathStyle=true&region=us-east-1`;
    // gocloud.dev rejects what it does not know, rather than ignoring it.
    expect(() => pulumi("login", `${url}&forcePathStyle=true`)).toThrow(
      /unknown query parameter "forcePathStyle"/,
    );
    pulumi("login", url);
    expect(pulumi("whoami", "--verbose")).toContain(`Backend URL: ${url}`);

    pulumi("stack", "init", run);
    pulumi("config", "set", "backend:prefix", run, "-s", run);
    pulumi("config", "set", "backend:testLabel", run, "-s", run);
    pulumi("up", "--yes", "--skip-preview", "-s", run);
    expect(listKeys(store, bucket, ".pulumi/stacks/")).toContain(stateKey);
    const types = (checkpoint().checkpoint.latest?.resources ?? []).map((r) => r.type);
    expect(types).toEqual(
      expect.arrayContaining(["docker:index/network:Network", "docker:index/volume:Volume"]),
    );
    expect(labelled(label)).toMatchObject({ networks: [`${run}-net`], volumes: [`${run}-data`] });

    pulumi("preview", "--expect-no-changes", "-s", run);

    // The same state through the AWS SDK v2 parameter names gocloud.dev 0.46 reads.
    const v2 = `s3://${bucket}?endpoint=http://127.0.0.1:${port}&disable_https=true&use_path_style=true&region=us-east-1`;
    expect(
      execFileSync("pulumi", ["stack", "ls", "--json"], {
        cwd: workDir,
        env: { ...env, PULUMI_BACKEND_URL: v2 },
        encoding: "utf8",
        stdio: "pipe",
      }),
    ).toContain(`"name": "${run}"`);

    pulumi("destroy", "--yes", "--skip-preview", "-s", run);
    expect(labelled(label)).toMatchObject({ networks: [], volumes: [] });
    expect(checkpoint().checkpoint.latest?.resources ?? []).toEqual([]);

    pulumi("stack", "rm", run, "--yes");
    expect(listKeys(store, bucket, ".pulumi/stacks/")).not.toContain(stateKey);
  });
});
