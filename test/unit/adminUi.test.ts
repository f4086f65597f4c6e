import { BLUEPRINTS, resolve, ENVIRONMENTS } from "../../blueprints";
import { adminLabels } from "../../components/app/adminLabels";
import { adminAuthProblems } from "../../policies/architecture/admin";
import { viewOf } from "../../policies/lib/view";

/**
 * Every admin UI of every blueprint, in every environment it exists in, seen by the
 * policy admin-ui-auth as its container would be (labels, plain env, secrets by file or
 * through the wrapper): in staging and prod none is routed without its login.
 */
describe("admin UIs of the blueprints", () => {
  const found: string[] = [];
  for (const [name, bp] of Object.entries(BLUEPRINTS))
    for (const env of ENVIRONMENTS) {
      if (!(bp.environments as string[]).includes(env)) continue;
      const system = resolve(bp, { environment: env, imageSet: "local" });
      for (const s of system.app.services.filter((x) => x.admin)) {
        found.push(`${name}/${env}/${s.name}`);
        test(`${name} ${env} ${s.name}`, () => {
          const secrets = Object.entries(s.secretEnv ?? {});
          const envs = [
            ...Object.entries(s.env ?? {}).map(([k, v]) => `${k}=${v}`),
            ...secrets
              .filter(([, v]) => typeof v === "string" || v.as !== "env")
              .map(([k]) => `${k}_FILE=/run/secrets/${k.toLowerCase()}`),
            `SHIPYARD_SECRET_ENV=${secrets
              .filter(([, v]) => typeof v !== "string" && v.as === "env")
              .map(([k]) => `${k}=/run/secrets/${k.toLowerCase()}`)
              .join(" ")}`,
          ];
          const labels = Object.entries({ "io.shipyard.environment": env, ...adminLabels(s) }).map(
            ([label, value]) => ({ label, value }),
          );
          const problems = adminAuthProblems(
            viewOf({ type: "docker:index/container:Container", name: s.name, props: { envs, labels } }),
          );
          expect(env === "dev" ? [] : problems).toEqual([]);
        });
      }
    }
  test("bull-board, MailHog and Mailpit are recognised", () => {
    expect(found).toEqual(
      expect.arrayContaining(["cep/prod/bullboard", "cep/dev/mailhog", "brandclub/dev/mailpit"]),
    );
    // The dev mail sinks exist only in dev.
    expect(found.filter((f) => /mailhog|mailpit/.test(f) && !f.includes("/dev/"))).toEqual([]);
  });
  test("bull-board without its password in prod is flagged", () => {
    const view = viewOf({
      type: "docker:index/container:Container",
      name: "bullboard",
      props: {
        envs: ["USER_LOGIN=queues", "SHIPYARD_SECRET_ENV=REDIS_PASSWORD=/run/secrets/redis_password"],
        labels: [
          { label: "io.shipyard.admin", value: "true" },
          { label: "io.shipyard.admin.auth", value: "USER_LOGIN,USER_PASSWORD" },
          { label: "io.shipyard.admin.routes", value: "queues.cepcomunicacion.com" },
        ],
      },
    });
    expect(adminAuthProblems(view)).toEqual([expect.stringMatching(/USER_PASSWORD not set/)]);
  });
});
