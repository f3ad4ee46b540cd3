import { configMapSizePolicy } from "../configMapSize";

export const configMapSizeAdvisory = configMapSizePolicy("configmap-size-advisory", "advisory", 256 * 1024,
    "above 256 KiB it is content on its way to the 1 MiB API limit");
