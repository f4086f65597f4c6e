import { appProgram } from "./program";

export = appProgram();
