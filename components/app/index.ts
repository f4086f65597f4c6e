export { AppStack, startOrder, validateServices } from "./appStack";
export type * from "./types";
