import type { CollectionConfig } from "payload";

/** Marketing campaigns (POST /api/campaigns needs a logged-in user). */
export const Campaigns: CollectionConfig = {
  slug: "campaigns",
  admin: { useAsTitle: "name" },
  fields: [
    { name: "name", type: "text", required: true },
    { name: "channel", type: "select", options: ["meta", "google", "email", "whatsapp"] },
    { name: "course", type: "relationship", relationTo: "courses" },
  ],
};
