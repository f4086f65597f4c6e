import { postgresAdapter } from "@payloadcms/db-postgres";
import { nodemailerAdapter } from "@payloadcms/email-nodemailer";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildConfig } from "payload";
import { Campaigns } from "./collections/Campaigns";
import { CourseRuns } from "./collections/CourseRuns";
import { Courses } from "./collections/Courses";
import { Cycles } from "./collections/Cycles";
import { Leads } from "./collections/Leads";
import { Sites } from "./collections/Sites";
import { Users } from "./collections/Users";
import { fromEnv } from "./lib/env";
import { migrations } from "./migrations";

const dirname = path.dirname(fileURLToPath(import.meta.url));
const smtpHost = fromEnv("SMTP_HOST");

/**
 * The relay as nodemailer takes it (SMTPTransport options): SMTP_SECURE=true for
 * implicit TLS (port 465), SMTP_REQUIRE_TLS=true for STARTTLS required; neither:
 * plain SMTP, STARTTLS not attempted (the dev sinks). SMTP_USER with SMTP_PASSWORD
 * (or SMTP_PASSWORD_FILE, a mounted secret) logs in.
 */
function smtpTransport(host: string) {
  const secure = fromEnv("SMTP_SECURE") === "true";
  const requireTLS = fromEnv("SMTP_REQUIRE_TLS") === "true";
  const user = fromEnv("SMTP_USER");
  return {
    host,
    port: Number(fromEnv("SMTP_PORT", secure ? "465" : "1025")),
    secure,
    requireTLS,
    ignoreTLS: !secure && !requireTLS,
    ...(user && { auth: { user, pass: fromEnv("SMTP_PASSWORD", "") } }),
  };
}

/**
 * The CEP CMS. Payload reads its database from DATABASE_URI and its secret
 * from PAYLOAD_SECRET (as Payload's templates do); the schema comes from the
 * migrations in ./migrations, run at start in production (prodMigrations).
 */
export default buildConfig({
  serverURL: fromEnv("PAYLOAD_PUBLIC_SERVER_URL", ""),
  admin: { user: Users.slug, importMap: { baseDir: path.resolve(dirname) } },
  collections: [Users, Courses, CourseRuns, Sites, Cycles, Leads, Campaigns],
  secret: process.env.PAYLOAD_SECRET || "",
  typescript: { outputFile: path.resolve(dirname, "payload-types.ts") },
  db: postgresAdapter({
    pool: { connectionString: process.env.DATABASE_URI || "" },
    migrationDir: path.resolve(dirname, "migrations"),
    prodMigrations: migrations,
  }),
  ...(smtpHost && {
    email: nodemailerAdapter({
      defaultFromAddress: fromEnv("SMTP_FROM", "no-reply@cepcomunicacion.test")!,
      defaultFromName: "CEP Comunicación",
      skipVerify: true,
      transportOptions: smtpTransport(smtpHost),
    }),
  }),
  telemetry: false,
});
