import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { engineFacts } from "../../stacks/engineFacts";
import { engineHost, unaskable } from "../../stacks/engineHost";

/** A home with the Docker CLI's context store holding one context. */
function homeWith(name: string, host: string): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-home-"));
  const dir = path.join(home, ".docker", "contexts", "meta", "0123abcd");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "meta.json"),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
  );
  return home;
}

describe("the engine the provider talks to", () => {
  const home = homeWith("remote", "tcp://10.0.0.5:2375");

  it("takes the provider's order: context over host, config over environment, then the socket", () => {
    expect(engineHost({ config: {}, env: {}, home })).toMatchObject({
      host: "unix:///var/run/docker.sock",
      source: "the default socket",
    });
    expect(engineHost({ config: {}, env: { DOCKER_HOST: "tcp://h:2375" }, home })).toMatchObject({
      host: "tcp://h:2375",
      source: "DOCKER_HOST",
    });
    expect(
      engineHost({ config: { host: "unix:///run/x.sock" }, env: { DOCKER_HOST: "tcp://h:2375" }, home }),
    ).toMatchObject({ host: "unix:///run/x.sock", source: "docker:host" });
    expect(
      engineHost({ config: { host: "unix:///run/x.sock" }, env: { DOCKER_CONTEXT: "remote" }, home }),
    ).toMatchObject({ host: "tcp://10.0.0.5:2375", source: "DOCKER_CONTEXT", context: "remote" });
    expect(engineHost({ config: { context: "remote" }, env: {}, home })).toMatchObject({
      source: "docker:context",
    });
  });

  it("refuses a context it cannot find, naming the setting", () => {
    expect(() => engineHost({ config: {}, env: { DOCKER_CONTEXT: "prod" }, home })).toThrow(
      /the Docker context 'prod' \(from DOCKER_CONTEXT\) cannot be read: context 'prod' not found/,
    );
  });

  it("says why it cannot ask an SSH host or a TLS port without TLS settings", () => {
    expect(unaskable(engineHost({ config: { host: "ssh://deploy@db1" }, env: {}, home }))).toMatch(
      /ssh:\/\/deploy@db1 from docker:host is reached over SSH.*set docker:host to unix:\/\/\/tmp\/docker.sock/,
    );
    expect(unaskable(engineHost({ config: {}, env: { DOCKER_HOST: "tcp://h:2376" }, home }))).toMatch(
      /TLS port 2376, and no TLS setting is given: set docker:certPath \(or DOCKER_CERT_PATH\)/,
    );
    const tls = engineHost({
      config: {},
      env: {
        DOCKER_HOST: "tcp://h:2376",
        DOCKER_CA_MATERIAL: "ca",
        DOCKER_CERT_MATERIAL: "c",
        DOCKER_KEY_MATERIAL: "k",
      },
      home,
    });
    expect(unaskable(tls)).toBeUndefined();
    expect(tls.tls).toEqual({ ca: "ca", cert: "c", key: "k" });
    expect(() => engineHost({ config: {}, env: { DOCKER_CERT_PATH: "/nonexistent" }, home })).toThrow(
      /TLS files in \/nonexistent \(docker:certPath or DOCKER_CERT_PATH\) cannot be read/,
    );
  });

  it("asks the engine at the context's socket, and refuses when it does not answer", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shipyard-sock-"));
    const socket = path.join(dir, "docker.sock");
    const server = http.createServer((req, res) =>
      res.end(JSON.stringify(req.url === "/version" ? { ApiVersion: "1.43" } : { SwapLimit: true })),
    );
    await new Promise<void>((r) => server.listen(socket, r));
    try {
      const ctxHome = homeWith("local", `unix://${socket}`);
      const e = engineHost({ config: { context: "local" }, env: {}, home: ctxHome });
      await expect(engineFacts(e)).resolves.toEqual({ apiVersion: "1.43", swapLimit: true });
    } finally {
      server.close();
    }
    const gone = engineHost({ config: { host: `unix://${dir}/none.sock` }, env: {}, home });
    await expect(engineFacts(gone)).rejects.toThrow(
      /engine facts: the Docker engine unix:\/\/.*none.sock \(from docker:host\) did not answer/,
    );
    await expect(engineFacts(engineHost({ config: { host: "ssh://db1" }, env: {}, home }))).rejects.toThrow(
      /engine facts: .*reached over SSH/,
    );
  });
});
