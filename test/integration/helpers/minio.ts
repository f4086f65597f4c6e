import { docker, inspect } from "./docker";

/** A MinIO server of the test, from the local image, published on loopback only. */
export interface Minio {
  container: string;
  port: number;
  accessKey: string;
  secretKey: string;
}

export async function startMinio(o: { run: string; port: number }): Promise<Minio> {
  const m: Minio = {
    container: `${o.run}-minio`,
    port: o.port,
    accessKey: `${o.run}-key`,
    secretKey: `${o.run}-secret-${Math.random().toString(36).slice(2)}`,
  };
  docker(
    "run", "-d", "--name", m.container,
    "--label", `io.shipyard.test=${o.run}`,
    "-p", `127.0.0.1:${m.port}:9000`,
    "-e", `MINIO_ROOT_USER=${m.accessKey}`,
    "-e", `MINIO_ROOT_PASSWORD=${m.secretKey}`,
    "--health-cmd", "/usr/local/bin/healthcheck",
    "--health-interval", "1s", "--health-retries", "60",
    "shipyard/minio:bookworm",
  ); // prettier-ignore
  for (let i = 0; i < 60; i++) {
    if (inspect(m.container, "{{.State.Health.Status}}") === "healthy") return m;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${m.container} did not become healthy: ${docker("logs", "--tail", "20", m.container)}`);
}

/** An S3 request signed with SigV4, made by curl inside the MinIO container; returns "<status>\n<body>". */
export function s3(m: Minio, method: string, pathAndQuery: string): { status: number; body: string } {
  const out = docker(
    "exec", m.container, "curl", "-s", "-w", "\n%{http_code}",
    "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", `${m.accessKey}:${m.secretKey}`,
    "-X", method, `http://127.0.0.1:9000${pathAndQuery}`,
  ); // prettier-ignore
  const i = out.lastIndexOf("\n");
  return { status: Number(out.slice(i + 1)), body: i < 0 ? "" : out.slice(0, i) };
}

/** Object keys under a prefix (ListObjectsV2). */
export function listKeys(m: Minio, bucket: string, prefix: string): string[] {
  const r = s3(m, "GET", `/${bucket}?list-type=2&prefix=${encodeURIComponent(prefix)}`);
  if (r.status !== 200)
    throw new Error(`listing ${bucket}/${prefix}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  return [...r.body.matchAll(/<Key>([^<]+)<\/Key>/g)].map((x) => x[1]);
}
