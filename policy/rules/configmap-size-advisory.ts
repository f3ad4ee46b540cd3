import { configMapSizePolicy } from "../config-map-size";

export const configMapSizeAdvisory = configMapSizePolicy("configmap-size-advisory", 256 * 1024);
