import { configMapSizePolicy } from "../configMapSize";

export const configMapSizeAdvisory = configMapSizePolicy("configmap-size-advisory", 256 * 1024);
