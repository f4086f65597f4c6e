import { planRefresh } from "../../cli/commands/refreshData";

describe("data refresh plan", () => {
  test("cme: prod databases into staging, matched by position, with the scrub SQL", () => {
    const plans = planRefresh("cme");
    expect(plans[0]).toEqual({
      from: { container: "cme-prod-mariadb", database: "cme_stack_wordpress" },
      to: { container: "cme-staging-mariadb", database: "cme_staging_wordpress" },
      scrubSql: [
        "UPDATE `cme_staging_wordpress`.`wp_users` SET `user_email` = CONCAT('user', ID, '@example.invalid'), `user_pass` = '', `user_activation_key` = '', `display_name` = CONCAT('User ', ID);",
      ],
    });
    expect(plans).toHaveLength(2);
    expect(plans.slice(1).every((p) => p.scrubSql.length === 0)).toBe(true);
  });
  test("a blueprint without a rule names the ones with one", () => {
    expect(() => planRefresh("demo")).toThrow(
      /blueprint demo has no data refresh rule; blueprints with one: cme/,
    );
  });
});
