// @webstack/components: the public surface of the package (`import { WebStack } from "@webstack/components"`).
// Components speak in argument paths ("api.replicas"); only the stack config layer (config.ts) turns problems
// into `pulumi config set` advice.
export * from "./api";
export * from "./api-image-build";
export * from "./config";
export * from "./errors";
export * from "./image-ref";
export * from "./images";
export * from "./labels";
export * from "./migration-job";
export * from "./network-policies";
export * from "./nginx-conf";
export * from "./redis";
export * from "./redis-conf";
export * from "./route";
export * from "./stack-file";
export * from "./static-site";
export * from "./storage";
export * from "./web-stack";
export * from "./workload";
export * as facts from "../policy/facts";
