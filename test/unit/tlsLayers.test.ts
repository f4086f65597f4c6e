/**
 * TLS through the layers (Pulumi mocks): the data layer keeps the proxy's
 * certificate volume when TLS is on and exports it in the contract; the app
 * layer's proxy publishes the HTTPS port and mounts that volume at /data.
 */
import * as pulumi from "@pulumi/pulumi";
import { useFakeEngine } from "./helpers/fakeEngine";
import { setupMocks, type Recorded } from "./helpers/mocks";

// A fake engine of the oldest supported kind: the programs declare containers for it.
useFakeEngine();

let published: Record<string, unknown> = {};
const { resources } = setupMocks(() => published);
// Each test runs two layer programs (3-5 s on a loaded 2-core machine; jest's default is 5 s).
jest.setTimeout(30000);

import { dataProgram } from "../../stacks/data/program";
import { dataInputs } from "../../stacks/data/inputs";
import { appProgram } from "../../stacks/app/program";
import type { DataContract } from "../../stacks/contract";
import { ALL_POLICIES } from "../../policies/lib/all";
import { evaluateResource } from "../../policies/lib/evaluate";
import { Settings } from "../../policies/lib/settings";
import { viewOf } from "../../policies/lib/view";

const value = <T>(o: unknown): Promise<T> =>
  new Promise((resolve) => (o as pulumi.Output<T>).apply((v) => resolve(v)));
const config = (environment: string, extra: Record<string, string> = {}) => ({
  "shipyard:blueprint": "cme",
  "shipyard:environment": environment,
  "shipyard:alerts": "off",
  "shipyard:imageSet": "local",
  // Staging and prod need the relay CME's senders use (stacks/mailConfig.ts).
  "shipyard:mail": JSON.stringify({ host: "smtp.example.org", port: 587 }),
  ...extra,
});
const email = { "shipyard:tls": JSON.stringify({ email: "ops@example.org" }) };
/** The container of that engine name, once registered (it waits for the app containers). */
async function registered(name: string): Promise<Recorded> {
  for (let i = 0; i < 100; i++) {
    const r = resources.find((x) => x.type === "docker:index/container:Container" && x.inputs.name === name);
    if (r) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`no container ${name} registered`);
}
const volumes = () => resources.filter((r) => r.type === "docker:index/volume:Volume");
/** The pack's https-only on a recorded proxy container, as a preview in staging or prod reports it. */
const httpsOnly = (r: Recorded) =>
  evaluateResource(
    ALL_POLICIES.find((p) => p.name === "https-only")!,
    viewOf({ type: r.type, name: r.name, props: r.inputs }),
    { settings: Settings.parse({}), waivers: [], today: "2026-12-06" },
  );

describe("TLS through the data and app layers", () => {
  beforeEach(() => {
    resources.length = 0;
  });

  test("dev (TLS off): no certificate volume, none in the contract", async () => {
    const out = await dataProgram(config("dev"));
    const contract = await value<DataContract>(out.contract);
    expect(volumes().map((v) => v.inputs.name)).not.toContain("cme-dev-proxy-certs");
    expect(contract).not.toHaveProperty("certVolume");
  });

  test("prod (acme): the data layer keeps a protected certificate volume and exports it", async () => {
    // Protected as the data volumes are (the component test checks the option itself).
    expect(dataInputs(config("prod", email)).args).toMatchObject({
      protect: true,
      appVolumes: [{ purpose: "proxy-certs", component: "proxy" }],
    });
    const out = await dataProgram(config("prod", email));
    const contract = await value<DataContract>(out.contract);
    const certs = volumes().find((v) => v.inputs.name === "cme-prod-proxy-certs");
    expect(certs).toBeDefined();
    expect(certs!.inputs.labels).toEqual(
      expect.arrayContaining([
        { label: "io.shipyard.layer", value: "data" },
        { label: "io.shipyard.component", value: "proxy" },
        { label: "io.shipyard.role", value: "proxy-certs" },
      ]),
    );
    expect(contract.certVolume).toBe("cme-prod-proxy-certs");
  });

  test("staging (acme): the app layer's proxy publishes httpsPort, mounts the volume at /data, exports httpsUrl", async () => {
    const data = await dataProgram(config("staging", email));
    published = { contract: await value(data.contract), secrets: await value(data.secrets) };
    resources.length = 0;
    const out = await appProgram(
      config("staging", { ...email, "shipyard:dataStack": "cme-staging", "shipyard:httpsPort": "8443" }),
    );
    const proxy = await registered("cme-staging-proxy");
    expect(proxy.inputs.ports).toEqual([
      expect.objectContaining({ internal: 80, external: 8281, ip: "127.0.0.1" }),
      expect.objectContaining({ internal: 443, external: 8443, ip: "127.0.0.1" }),
    ]);
    expect(proxy.inputs.volumes).toEqual([
      expect.objectContaining({ volumeName: "cme-staging-proxy-certs", containerPath: "/data" }),
    ]);
    // The app layer creates no volume of its own for the certificates.
    expect(volumes().map((v) => v.inputs.name)).not.toContain("cme-staging-proxy-certs");
    expect(out.httpsUrl).toBe("https://127.0.0.1:8443");
    const caddyfile = (proxy.inputs.uploads as { file: string; content: string }[])[0].content;
    expect(caddyfile).toContain("acme_ca https://acme-staging-v02.api.letsencrypt.org/directory");
  });

  test("prod (acme): the backup service mounts the certificate store (a backup target)", async () => {
    const data = await dataProgram(config("prod", email));
    published = { contract: await value(data.contract), secrets: await value(data.secrets) };
    resources.length = 0;
    await appProgram(config("prod", { ...email, "shipyard:dataStack": "cme-prod" }));
    const backup = await registered("cme-prod-backup");
    expect(backup.inputs.volumes).toContainEqual(
      expect.objectContaining({
        volumeName: "cme-prod-proxy-certs",
        containerPath: "/volumes/cme-prod-proxy-certs",
      }),
    );
  });

  test("dev (TLS off): the proxy publishes only httpPort, mounts nothing, no httpsUrl", async () => {
    const data = await dataProgram(config("dev"));
    published = { contract: await value(data.contract), secrets: await value(data.secrets) };
    resources.length = 0;
    const out = await appProgram(config("dev", { "shipyard:dataStack": "cme-dev" }));
    const proxy = await registered("cme-dev-proxy");
    expect(proxy.inputs.ports).toEqual([expect.objectContaining({ internal: 80, external: 8280 })]);
    expect(proxy.inputs.volumes).toBeUndefined();
    expect(out).not.toHaveProperty("httpsUrl");
  });

  test("an app layer with TLS on refuses a data layer deployed without it", async () => {
    const data = await dataProgram(config("staging", { "shipyard:tls": "off" }));
    published = { contract: await value(data.contract), secrets: await value(data.secrets) };
    await expect(
      appProgram(config("staging", { ...email, "shipyard:dataStack": "cme-staging" })),
    ).rejects.toThrow(/exports no certVolume, but this app stack's shipyard:tls is on/);
  });

  test("WebMeteor staging (kind traefik, the blueprint's acme): the proxy mounts socket and volume, routers on websecure, sites told https", async () => {
    const wm = (extra: Record<string, string> = {}) => ({
      // The blueprint's mode in staging is acme: the stack config gives only the account's e-mail.
      ...config("staging", { ...email, ...extra }),
      "shipyard:blueprint": "webmeteor",
    });
    const data = await dataProgram(wm());
    published = { contract: await value(data.contract), secrets: await value(data.secrets) };
    resources.length = 0;
    const out = await appProgram(wm({ "shipyard:dataStack": "webmeteor-staging" }));
    const proxy = await registered("webmeteor-staging-proxy");
    expect(proxy.inputs.volumes).toEqual([
      expect.objectContaining({
        hostPath: "/var/run/docker.sock",
        containerPath: "/run/docker.sock",
        readOnly: true,
      }),
      expect.objectContaining({ volumeName: "webmeteor-staging-proxy-certs", containerPath: "/data" }),
    ]);
    expect(proxy.inputs.envs).toBeUndefined(); // Let's Encrypt: no CA root of the caller's
    const conf = (proxy.inputs.uploads as { file: string; content: string }[])[0].content;
    expect(conf).toContain('caServer: "https://acme-staging-v02.api.letsencrypt.org/directory"');
    const routed = resources.filter(
      (r) =>
        r.type === "docker:index/container:Container" &&
        (r.inputs.labels as { label: string; value: string }[] | undefined)?.some(
          (l) => l.label === "traefik.enable",
        ),
    );
    expect(routed.length).toBeGreaterThan(0);
    for (const r of routed) {
      const labels = r.inputs.labels as { label: string; value: string }[];
      const entrypoints = labels.filter((l) => l.label.endsWith(".entrypoints")).map((l) => l.value);
      expect(new Set(entrypoints)).toEqual(new Set(["websecure"]));
      expect(labels.filter((l) => l.label.endsWith(".tls.certresolver")).length).toBe(entrypoints.length);
    }
    expect(out.sites).toMatchObject({ kind: "traefik", https: true });
    expect(JSON.stringify(out.sites)).not.toContain("ops@example.org");
    expect(httpsOnly(proxy)).toEqual([]);
  });

  test("WebMeteor prod: without the ACME e-mail refused naming the key; with tls off the pack's https-only blocks the proxy", async () => {
    const wm = (extra: Record<string, string>) => ({
      ...config("prod", extra),
      "shipyard:blueprint": "webmeteor",
    });
    expect(() => dataInputs(wm({}))).toThrow(
      /shipyard:tls\.email: required with tls mode "acme" \(the blueprint webmeteor's default in prod\)/,
    );
    const off = { "shipyard:tls": "off", "shipyard:protect": "false" };
    const data = await dataProgram(wm(off));
    published = { contract: await value(data.contract), secrets: await value(data.secrets) };
    resources.length = 0;
    await appProgram(wm({ ...off, "shipyard:dataStack": "webmeteor-prod" }));
    const found = httpsOnly(await registered("webmeteor-prod-proxy"));
    expect(found.map((v) => v.level)).toEqual(["mandatory"]);
    expect(found[0].message).toMatch(
      /^serves plain HTTP on host port 8482: tls mode is off; in prod every route/,
    );
  });

  test("CEP prod (kind nginx, acme): nginx mounts the data layer's volume read-only, lego beside it writes there", async () => {
    const cep = (extra: Record<string, string> = {}) => ({
      ...config("prod", { ...email, "shipyard:protect": "false", ...extra }),
      "shipyard:blueprint": "cep",
    });
    const data = await dataProgram(cep());
    published = { contract: await value(data.contract), secrets: await value(data.secrets) };
    resources.length = 0;
    const out = await appProgram(cep({ "shipyard:dataStack": "cep-prod" }));
    const proxy = await registered("cep-prod-proxy");
    const lego = await registered("cep-prod-proxy-lego");
    expect(proxy.inputs.volumes).toEqual([
      expect.objectContaining({
        volumeName: "cep-prod-proxy-certs",
        containerPath: "/var/lib/lego",
        readOnly: true,
      }),
    ]);
    expect(lego.inputs.volumes).toEqual([
      expect.objectContaining({ volumeName: "cep-prod-proxy-certs", containerPath: "/var/lib/lego" }),
    ]);
    expect(lego.inputs.image).toBe("shipyard/lego:bookworm");
    expect(lego.inputs.envs).toEqual([
      "LEGO_SERVER=https://acme-v02.api.letsencrypt.org/directory",
      "LEGO_EMAIL=ops@example.org",
      "LEGO_PATH=/var/lib/lego",
    ]);
    const uploads = proxy.inputs.uploads as { file: string; content: string }[];
    // The document's HSTS header goes out on HTTPS only: the HTTP servers only redirect.
    expect(uploads[0].content).not.toContain("Strict-Transport-Security");
    const https = uploads.filter((u) => u.file.startsWith("/etc/nginx/shipyard-tls/available/"));
    expect(https.length).toBeGreaterThan(0);
    for (const u of https)
      expect(u.content).toContain('add_header Strict-Transport-Security "max-age=31536000" always;');
    expect(out.httpsUrl).toBe("https://127.0.0.1:443");
  });
});
