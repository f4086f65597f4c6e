export { AppStack, validateServices } from "./appStack";
export type * from "./types";
