import { destroy } from "../../cli/commands/destroy";
import { up } from "../../cli/commands/up";
import { planRefresh, refreshData } from "../../cli/commands/refreshData";
import { docker, removeLabelled } from "./helpers/docker";
import { TEST_TLS, testTarget } from "./helpers/target";

/**
 * CME's staging refresh: prod's WordPress database copied into staging with
 * personal data scrubbed, on the real engine (data layers only).
 */
const run = `t${process.pid}ref`;
const label = `io.shipyard.test=${run}`;
const target = (environment: string) =>
  testTarget({ run, blueprint: "cme", environment, config: { protect: "false", ...TEST_TLS } });
const sql = (container: string, q: string) =>
  docker(
    "exec",
    container,
    "sh",
    "-c",
    `mariadb -uroot -p"$(cat /run/secrets/mariadb-root-password)" -N -e "${q}"`,
  );
const hadExternal = () => docker("network", "ls", "-q", "--filter", "name=^external$") !== "";

describe("cme staging refresh from prod", () => {
  let external = true;
  beforeAll(() => {
    external = hadExternal();
  });
  afterAll(async () => {
    for (const env of ["staging", "prod"]) {
      await destroy(target(env), { removeStacks: true, layers: ["data"] }).catch(() => undefined);
    }
    removeLabelled(label);
    if (!external && hadExternal()) docker("network", "rm", "external");
  });

  test("copies the rows and scrubs e-mails and passwords", async () => {
    await up(target("prod"), { layers: ["data"] });
    await up(target("staging"), { layers: ["data"] });
    const prod = `${run}-prod-mariadb`;
    const staging = `${run}-staging-mariadb`;
    sql(
      prod,
      "CREATE TABLE cme_stack_wordpress.wp_users (ID INT PRIMARY KEY, user_email VARCHAR(100), user_pass VARCHAR(100), user_activation_key VARCHAR(100), display_name VARCHAR(100)); " +
        "INSERT INTO cme_stack_wordpress.wp_users VALUES (1,'ana@cruisemadeeasy.com','$P$hash1','k1','Ana Real'),(2,'bo@example.org','$P$hash2','','Bo Real'); " +
        "CREATE TABLE cme_stack_wordpress.wp_posts (ID INT, title VARCHAR(50)); INSERT INTO cme_stack_wordpress.wp_posts VALUES (1,'Caribbean'),(2,'Alaska'),(3,'Norway');",
    );
    const plans = planRefresh("cme", run);
    expect(plans.map((p) => `${p.from.database}->${p.to.database}`)).toEqual([
      "cme_stack_wordpress->cme_staging_wordpress",
      "cme_stack_matomo->cme_staging_matomo",
    ]);
    const t0 = Date.now();
    await refreshData(plans, () => undefined);
    console.log(`cme refresh: ${((Date.now() - t0) / 1000).toFixed(1)}s for ${plans.length} databases`);
    expect(sql(staging, "SELECT COUNT(*) FROM cme_staging_wordpress.wp_posts")).toBe("3");
    const users = sql(
      staging,
      "SELECT ID, user_email, user_pass, display_name FROM cme_staging_wordpress.wp_users ORDER BY ID",
    );
    expect(users).toBe("1\tuser1@example.invalid\t\tUser 1\n2\tuser2@example.invalid\t\tUser 2");
    expect(users).not.toMatch(/cruisemadeeasy|Real|hash/);
    // prod is untouched
    expect(sql(prod, "SELECT user_email FROM cme_stack_wordpress.wp_users WHERE ID=1")).toBe(
      "ana@cruisemadeeasy.com",
    );
  });
});
