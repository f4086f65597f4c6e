import type { CollectionConfig } from "payload";

/** Staff accounts of the Payload admin panel and the REST API (auth). */
export const Users: CollectionConfig = {
  slug: "users",
  auth: true,
  admin: { useAsTitle: "email" },
  fields: [
    { name: "name", type: "text" },
    {
      name: "role",
      type: "select",
      defaultValue: "editor",
      options: ["admin", "marketing", "editor", "advisor", "viewer"],
    },
  ],
};
