import type { EnvironmentTarget } from "../../../cli/target/ref";

/**
 * A test's own copy of a system: engine names carry `run` instead of the
 * blueprint's name, every object carries the label io.shipyard.test=<run>
 * (what the test cleans up), and the proxy gets the test's free port.
 */
export function testTarget(o: {
  run: string;
  blueprint: string;
  environment: string;
  port?: number;
  config?: Record<string, string>;
  log?: (line: string) => void;
  /** Run the policy pack. @default false (the policy tests run it on purpose) */
  policies?: boolean;
}): EnvironmentTarget {
  return {
    blueprint: o.blueprint,
    environment: o.environment,
    systemName: o.run,
    config: {
      ...(o.port !== undefined ? { httpPort: String(o.port) } : {}),
      labels: JSON.stringify({ "io.shipyard.test": o.run }),
      ...o.config,
    },
    log: o.log ?? (() => undefined),
    policies: o.policies ?? false,
  };
}

/**
 * `shipyard:mail` for tests: an SMTP relay without a login (so no operator secret), which
 * staging and prod of a system that sends mail (CME, Brand Club, CEP) require; nothing is sent to it.
 */
export const TEST_MAIL: Record<string, string> = {
  mail: JSON.stringify({ host: "smtp.example.org", port: 587 }),
};

/**
 * `shipyard:tls` for tests: the ACME account's e-mail address, which CME's and Brand Club's
 * staging and prod (TLS mode acme by default) require; the mode stays the blueprint's, and
 * previews contact no CA. With it the mail relay those environments require (TEST_MAIL).
 */
export const TEST_TLS: Record<string, string> = {
  tls: JSON.stringify({ email: "ops@example.org" }),
  ...TEST_MAIL,
};
