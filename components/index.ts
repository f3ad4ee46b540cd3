// @webstack/components: the public surface of the package (`import { WebStack } from "@webstack/components"`).
// Components speak in argument paths ("api.replicas"); only the stack config layer (config.ts) turns problems
// into `pulumi config set` advice.
export * from "./api";
export * from "./apiImageBuild";
export * from "./config";
export * from "./errors";
export * from "./imageRef";
export * from "./images";
export * from "./labels";
export * from "./migrationJob";
export * from "./networkPolicies";
export * from "./nginxConf";
export * from "./redis";
export * from "./redisConf";
export * from "./route";
export * from "./stackFile";
export * from "./staticSite";
export * from "./storage";
export * from "./webStack";
export * from "./workload";
export * as facts from "../policy/facts";
