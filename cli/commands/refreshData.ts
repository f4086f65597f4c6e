/**
 * Refresh one environment's databases from another (staging from prod), then
 * scrub personal data as the blueprint says. Dump and load stream through
 * `docker exec`; passwords are read from the servers' secret files inside the
 * containers and never leave them.
 */
import { spawn } from "node:child_process";
import { BLUEPRINTS, resolve, type Environment } from "../../blueprints";
import { ROOT_SECRET_FILE } from "../../components/database/engines";

export interface RefreshPlan {
  from: { container: string; database: string };
  to: { container: string; database: string };
  scrubSql: string[];
}

const ident = (s: string) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) throw new Error(`"${s}" is not a plain SQL identifier`);
  return s;
};

/** The copies and scrub statements for a blueprint's refresh rule (pure). */
export function planRefresh(blueprint: string, systemName?: string): RefreshPlan[] {
  const bp = BLUEPRINTS[blueprint];
  const rule = bp.data.refresh;
  if (!rule) {
    const withRule = Object.entries(BLUEPRINTS)
      .filter(([, b]) => b.data.refresh)
      .map(([n]) => n);
    throw new Error(
      `blueprint ${blueprint} has no data refresh rule; blueprints with one: ${withRule.join(", ")}`,
    );
  }
  const from = resolve(bp, { environment: rule.from as Environment, imageSet: "local", systemName });
  const to = resolve(bp, { environment: rule.to as Environment, imageSet: "local", systemName });
  const src = from.data.servers.find((s) => s.name === rule.server);
  const dst = to.data.servers.find((s) => s.name === rule.server);
  if (!src || !dst)
    throw new Error(
      `refresh.server is "${rule.server}"; allowed: ${from.data.servers.map((s) => s.name).join(", ")}`,
    );
  if (src.engine !== "mariadb")
    throw new Error(`refresh supports MariaDB servers; ${rule.server} is ${src.engine}`);
  const scrub = to.refresh?.scrub ?? {};
  return src.databases
    .map((d, i) => ({ d, t: dst.databases[i] }))
    .filter(({ t }) => t !== undefined)
    .map(({ d, t }) => ({
      from: { container: `${from.system}-${from.environment}-${src.name}`, database: d.name },
      to: { container: `${to.system}-${to.environment}-${dst.name}`, database: t.name },
      scrubSql: Object.entries(scrub[t.name] ?? {}).map(
        ([table, cols]) =>
          `UPDATE \`${ident(t.name)}\`.\`${ident(table)}\` SET ${Object.entries(cols)
            .map(([c, expr]) => `\`${ident(c)}\` = ${expr}`)
            .join(", ")};`,
      ),
    }));
}

function run(cmd: string, args: string[], input?: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const p = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (c) => (out += c));
    p.stderr.on("data", (c) => (err += c));
    if (input) input.pipe(p.stdin);
    else p.stdin.end();
    p.on("error", reject);
    p.on("close", (code) =>
      code === 0
        ? resolvePromise(out)
        : reject(new Error(`${cmd} ${args.slice(0, 3).join(" ")}: ${err.trim()}`)),
    );
  });
}

const client = `mariadb --protocol=tcp -h127.0.0.1 -uroot -p"$(cat /run/secrets/${ROOT_SECRET_FILE.mariadb})"`;

/** Runs the plan: dump each source database into its target, then scrub. */
export async function refreshData(
  plans: RefreshPlan[],
  log: (l: string) => void = console.log,
): Promise<void> {
  for (const p of plans) {
    const t0 = Date.now();
    log(`refresh: ${p.from.container}/${p.from.database} -> ${p.to.container}/${p.to.database}`);
    const dump = spawn(
      "docker",
      [
        "exec",
        p.from.container,
        "sh",
        "-c",
        `mariadb-dump --protocol=tcp -h127.0.0.1 -uroot -p"$(cat /run/secrets/${ROOT_SECRET_FILE.mariadb})" --single-transaction --routines --triggers ${p.from.database}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let dumpErr = "";
    dump.stderr.on("data", (c) => (dumpErr += c));
    const dumped = new Promise<void>((ok, ko) =>
      dump.on("close", (code) =>
        code === 0 ? ok() : ko(new Error(`dump of ${p.from.database}: ${dumpErr.trim()}`)),
      ),
    );
    await run(
      "docker",
      ["exec", "-i", p.to.container, "sh", "-c", `${client} ${p.to.database}`],
      dump.stdout,
    );
    await dumped;
    for (const sql of p.scrubSql) {
      const table = /`[^`]+`\.`([^`]+)`/.exec(sql)![1];
      const exists = await run("docker", [
        "exec",
        p.to.container,
        "sh",
        "-c",
        `${client} -N -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='${p.to.database}' AND table_name='${table}'"`,
      ]);
      if (exists.trim() === "0") {
        log(`refresh: ${p.to.database}.${table} does not exist, nothing to scrub`);
        continue;
      }
      await run("docker", [
        "exec",
        p.to.container,
        "sh",
        "-c",
        `${client} -e "${sql.replace(/[\\"$`]/g, "\\$&")}"`,
      ]);
      log(`refresh: scrubbed ${p.to.database}.${table}`);
    }
    log(`refresh: ${p.to.database} done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
}
