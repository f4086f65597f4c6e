import type { CollectionConfig } from "payload";

/** Training cycles (ciclos formativos). */
export const Cycles: CollectionConfig = {
  slug: "cycles",
  admin: { useAsTitle: "name" },
  access: { read: () => true },
  fields: [
    { name: "name", type: "text", required: true },
    { name: "level", type: "select", options: ["basic", "intermediate", "higher"] },
  ],
};
