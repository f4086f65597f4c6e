import type { CollectionConfig } from "payload";

/** Campuses (sedes). */
export const Sites: CollectionConfig = {
  slug: "sites",
  admin: { useAsTitle: "name" },
  access: { read: () => true },
  fields: [
    { name: "name", type: "text", required: true },
    { name: "city", type: "text" },
  ],
};
