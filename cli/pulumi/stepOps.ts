/** Pulumi's step operations, grouped by what they do to a resource (read by the data guard and the PR-comment report). */

/** Step operations that remove (or replace) what exists. */
export const REMOVING = ["replace", "delete", "delete-replaced", "create-replacement"];
