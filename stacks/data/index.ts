import { dataProgram } from "./program";

export = dataProgram();
