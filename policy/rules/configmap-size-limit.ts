import { configMapSizePolicy } from "../configMapSize";

export const configMapSizeLimit = configMapSizePolicy("configmap-size-limit", "mandatory", 1024 * 1024,
    "above 1 MiB the API server rejects it");
