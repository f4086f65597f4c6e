import { docker, inspect } from "./docker";

/** The local S3 server image (SeaweedFS; the local MinIO build is gone: MinIO is archived upstream). */
export const S3_STORE_IMAGE = "shipyard/seaweedfs:bookworm";
/** Its S3 port inside the container (`weed server -s3`, upstream's default -s3.port). */
export const S3_STORE_PORT = 8333;

/** An S3 server of the test, from the local SeaweedFS image. */
export interface S3Store {
  container: string;
  accessKey: string;
  secretKey: string;
}

/**
 * Starts `weed server -filer -s3` with the keys in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (the
 * admin identity SeaweedFS makes from them without an -s3.config file), labelled with the run,
 * published on a loopback port, or on a network of the test under an alias; waits until healthy.
 */
export async function startS3Store(o: {
  run: string;
  name: string;
  accessKey: string;
  secretKey: string;
  port?: number;
  network?: { name: string; alias: string };
}): Promise<S3Store> {
  const m: S3Store = { container: `${o.run}-${o.name}`, accessKey: o.accessKey, secretKey: o.secretKey };
  docker(
    "run", "-d", "--name", m.container,
    "--label", `io.shipyard.test=${o.run}`,
    ...(o.port ? ["-p", `127.0.0.1:${o.port}:${S3_STORE_PORT}`] : []),
    ...(o.network ? ["--network", o.network.name, "--network-alias", o.network.alias] : []),
    "-e", `AWS_ACCESS_KEY_ID=${m.accessKey}`,
    "-e", `AWS_SECRET_ACCESS_KEY=${m.secretKey}`,
    "--health-cmd", `curl -fsS -o /dev/null http://127.0.0.1:${S3_STORE_PORT}/healthz`,
    "--health-interval", "1s", "--health-retries", "120",
    S3_STORE_IMAGE, "server", "-filer", "-s3",
  ); // prettier-ignore
  for (let i = 0; inspect(m.container, "{{.State.Health.Status}}") !== "healthy"; i++) {
    if (i > 120)
      throw new Error(
        `${m.container} did not become healthy: ${docker("logs", "--tail", "20", m.container)}`,
      );
    await new Promise((r) => setTimeout(r, 1000));
  }
  return m;
}

/** An S3 request signed with SigV4, made by curl inside the store's container; returns status and body. */
export function s3(m: S3Store, method: string, pathAndQuery: string): { status: number; body: string } {
  const out = docker(
    "exec", m.container, "curl", "-s", "-w", "\n%{http_code}",
    "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", `${m.accessKey}:${m.secretKey}`,
    "-X", method, `http://127.0.0.1:${S3_STORE_PORT}${pathAndQuery}`,
  ); // prettier-ignore
  const i = out.lastIndexOf("\n");
  return { status: Number(out.slice(i + 1)), body: i < 0 ? "" : out.slice(0, i) };
}

/** Object keys under a prefix (ListObjectsV2). */
export function listKeys(m: S3Store, bucket: string, prefix: string): string[] {
  const r = s3(m, "GET", `/${bucket}?list-type=2&prefix=${encodeURIComponent(prefix)}`);
  if (r.status !== 200)
    throw new Error(`listing ${bucket}/${prefix}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  return [...r.body.matchAll(/<Key>([^<]+)<\/Key>/g)].map((x) => x[1]);
}
