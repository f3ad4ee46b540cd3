import { configMapSizePolicy } from "../config-map-size";

export const configMapSizeLimit = configMapSizePolicy("configmap-size-limit", 1024 * 1024);
