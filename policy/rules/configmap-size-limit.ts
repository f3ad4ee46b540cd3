import { configMapSizePolicy } from "../configMapSize";

export const configMapSizeLimit = configMapSizePolicy("configmap-size-limit", 1024 * 1024);
