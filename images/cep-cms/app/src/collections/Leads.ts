import type { CollectionConfig } from "payload";
import { fromEnv } from "../lib/env";
import { enqueue } from "../lib/queue";

/**
 * Leads (seed 004, "Lead Submission Flow"): anyone may create one (POST
 * /api/leads, RGPD consent required); reading needs a logged-in user. After
 * the insert the lead is queued for the automation worker (queue
 * "automation", job "lead.created") and, where SMTP is configured (MailHog in
 * dev), the lead gets a confirmation mail through Payload's email adapter.
 */
export const Leads: CollectionConfig = {
  slug: "leads",
  admin: { useAsTitle: "email" },
  access: { create: () => true },
  fields: [
    { name: "name", type: "text", required: true },
    { name: "email", type: "email", required: true },
    { name: "phone", type: "text" },
    { name: "course", type: "relationship", relationTo: "courses" },
    { name: "message", type: "textarea" },
    {
      name: "consent",
      type: "checkbox",
      required: true,
      validate: (v: boolean | null | undefined) => v === true || "RGPD consent is required",
    },
    { name: "source", type: "text", defaultValue: "web" },
    {
      name: "status",
      type: "select",
      defaultValue: "new",
      options: ["new", "queued", "contacted", "enrolled", "discarded"],
    },
    { name: "ip", type: "text", admin: { readOnly: true } },
  ],
  hooks: {
    beforeChange: [
      ({ data, operation, req }) => {
        if (operation === "create") {
          const fwd = req.headers.get("x-forwarded-for");
          data.ip = fwd ? fwd.split(",")[0].trim() : undefined;
        }
        return data;
      },
    ],
    afterChange: [
      async ({ doc, operation, req }) => {
        if (operation !== "create") return doc;
        await enqueue("automation", "lead.created", `lead-${doc.id}`, {
          leadId: doc.id,
          email: doc.email,
          course: doc.course ?? null,
          source: doc.source,
        });
        // The mail is a courtesy: a mail server that does not answer does not lose the lead.
        if (fromEnv("SMTP_HOST")) {
          try {
            await req.payload.sendEmail({
              to: doc.email,
              subject: "Hemos recibido tu solicitud",
              text: `Hola ${doc.name}, gracias por tu interés. Te contactaremos pronto. (solicitud ${doc.id})`,
            });
          } catch (err) {
            req.payload.logger.error(`lead ${doc.id}: confirmation mail not sent: ${(err as Error).message}`);
          }
        }
        return doc;
      },
    ],
  },
};
