import type { CollectionConfig } from "payload";

/** Course runs (convocatorias): a course at a site with dates. */
export const CourseRuns: CollectionConfig = {
  slug: "course-runs",
  access: { read: () => true },
  fields: [
    { name: "course", type: "relationship", relationTo: "courses", required: true },
    { name: "site", type: "relationship", relationTo: "sites" },
    { name: "startDate", type: "date" },
    { name: "endDate", type: "date" },
    { name: "seats", type: "number" },
  ],
};
