/**
 * The backup image's dump tools can read every server the blueprints name: pg_dump's major is
 * at least every PostgreSQL image's, mariadb-dump's version at least every MariaDB image's, and
 * redis-check-rdb reads the RDB format of every Redis image. The local server images are older
 * (PostgreSQL 15, Redis 7.0, from bookworm), so the real-engine tests alone would not see a
 * mismatch with the upstream images: this check does.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { BLUEPRINTS } from "../../blueprints";
import type { ParsedBlueprint } from "../../blueprints/schema";
import { BACKUP_TOOLS, dumpProblem, tagVersion } from "../../components/backup";

const ROOT = path.join(__dirname, "..", "..");

/** Every upstream image (all environments) of an image key. */
function upstreams(bp: ParsedBlueprint, key: string): string[] {
  const u = bp.images[key]?.upstream;
  if (u === undefined) return [];
  if (typeof u === "string") return [u];
  return Object.values(u.perEnv).filter((x): x is string => typeof x === "string");
}

/** engine, image: every database server (sites' too) and cache of every blueprint. */
function servers(): { blueprint: string; engine: "postgres" | "mariadb" | "redis"; image: string }[] {
  const out: { blueprint: string; engine: "postgres" | "mariadb" | "redis"; image: string }[] = [];
  for (const [name, raw] of Object.entries(BLUEPRINTS)) {
    const bp = raw as ParsedBlueprint;
    for (const s of [...(bp.data.servers ?? []), ...(bp.app.sites?.servers ?? [])])
      for (const image of upstreams(bp, s.image)) out.push({ blueprint: name, engine: s.engine, image });
    for (const c of bp.data.caches ?? [])
      for (const image of upstreams(bp, c.image)) out.push({ blueprint: name, engine: "redis", image });
  }
  return out;
}

test("every server image the blueprints name can be dumped and checked by the backup image's tools", () => {
  const all = servers();
  // The blueprints name PostgreSQL 14 and 16, MariaDB 10.6 and 10.11, Redis 6.2 and 7.
  expect(all.filter((s) => s.engine === "postgres").length).toBeGreaterThanOrEqual(3);
  expect(all.filter((s) => s.engine === "redis").length).toBeGreaterThanOrEqual(4);
  const problems = all.map((s) => dumpProblem(s.engine, s.image)).filter(Boolean);
  expect(problems).toEqual([]);
});

test("the check refuses what the tools cannot read, naming the image", () => {
  expect(dumpProblem("postgres", "postgres:18-alpine")).toBe(
    "postgres:18-alpine: PostgreSQL 18 is newer than the backup image's pg_dump 17, which refuses it",
  );
  expect(dumpProblem("postgres", "postgres:16")).toBeUndefined();
  expect(dumpProblem("postgres", "postgres")).toContain("no version in the tag");
  expect(dumpProblem("mariadb", "mariadb:11.4")).toContain(
    "newer than the backup image's mariadb-dump 10.11",
  );
  expect(dumpProblem("mariadb", "mariadb:10.6")).toBeUndefined();
  expect(dumpProblem("redis", "redis:7")).toBeUndefined(); // 7.4: RDB 12
  expect(dumpProblem("redis", "redis:6.2-alpine")).toBeUndefined();
  expect(dumpProblem("redis", "redis:8.2")).toContain("RDB format is not known here");
  expect(tagVersion("registry.example.org:5000/team/postgres:16.4-bookworm")).toEqual([16, 4]);
});

test("the image installs the versions the check assumes", () => {
  const dockerfile = readFileSync(path.join(ROOT, "images", "backup", "Dockerfile"), "utf8");
  expect(dockerfile).toMatch(
    new RegExp(`-t trixie[^;]*postgresql-client-${BACKUP_TOOLS.postgresClientMajor}\\b`),
  );
  expect(dockerfile).toMatch(new RegExp(`-t trixie[^;]*postgresql-${BACKUP_TOOLS.postgresServerMajor} `));
  // redis-tools from trixie (8.0), not bookworm's 7.0 (RDB 10 at most).
  expect(dockerfile).toMatch(/-t trixie[^;]*redis-tools/);
  const health = readFileSync(path.join(ROOT, "images", "backup", "healthcheck"), "utf8");
  expect(health).toContain(`/usr/lib/postgresql/${BACKUP_TOOLS.postgresServerMajor}/bin/postgres`);
});
