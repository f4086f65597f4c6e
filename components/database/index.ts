export { DatabaseStack } from "./databaseStack";
export type * from "./types";
