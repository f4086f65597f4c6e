import type { CollectionConfig } from "payload";

/** Courses, public: the frontend lists them (GET /api/courses). */
export const Courses: CollectionConfig = {
  slug: "courses",
  admin: { useAsTitle: "title" },
  access: { read: () => true },
  fields: [
    { name: "title", type: "text", required: true },
    { name: "slug", type: "text", unique: true, index: true },
    { name: "summary", type: "textarea" },
    { name: "cycle", type: "relationship", relationTo: "cycles" },
    { name: "modality", type: "select", options: ["presential", "online", "hybrid"] },
  ],
};
