// @webstack/components: the public surface of the package (`import { WebStack } from "@webstack/components"`),
// named one by one so that a change to it is deliberate: components/webstack-components.api.md (API Extractor,
// `npm run api-report`) records it, and test/api-report.test.ts fails when the surface and the report differ.
// Components speak in argument paths ("api.replicas"). The program's own plumbing (stack config keys,
// `pulumi config set` advice and stack files, in program/) is outside the package; the zod schemas, problem checks
// and defaults behind each component are not part of its surface.

// The components, each with its arguments (every field's TSDoc names its default).
export { WebStack } from "./web-stack";
export type { Platform, WebStackApiArgs, WebStackArgs, WebStackSiteArgs, WebStackSiteContent } from "./web-stack";
export { StaticSite } from "./static-site";
export type { ServiceTarget, SiteContent, StaticSiteArgs, StaticSiteWiredArgs } from "./static-site";
export { Api } from "./api";
export type { ApiArgs, ApiMigration, ApiWiredArgs } from "./api";
export { Redis, REDIS_PASSWORD_KEY } from "./redis";
export type { RedisArgs, RedisConnection, RedisWiredArgs } from "./redis";
export { Storage } from "./storage";
export type { AccessMode, StorageArgs } from "./storage";
export { Route, ROUTE_KINDS } from "./route";
export type { RouteArgs, RouteKind } from "./route";
export { MigrationJob } from "./migration-job";
export type { MigrationJobArgs } from "./migration-job";
export { NetworkPolicies } from "./network-policies";
export type { NetworkPoliciesArgs, PodGroup } from "./network-policies";
export { ApiImageBuild } from "./api-image-build";
export type { ApiImageBuildArgs } from "./api-image-build";
export type { Autoscaling, HorizontalScaling, WorkloadTuning } from "./workload";

// The defaults the Args' TSDoc names (`@defaultValue {@link …}`), as data: docs/configuration.md reads the same values.
export { API_DEFAULT_HEALTH_PATH, API_DEFAULT_PORT, API_DEFAULT_REPLICAS } from "./api";
export { MIGRATION_DEFAULT_BACKOFF_LIMIT, MIGRATION_DEFAULT_DEADLINE_SECONDS } from "./migration-job";
export { DEFAULT_SCHEMA_VERSION } from "./schema-version";
export { NGINX_DEFAULT_IMAGE } from "./static-site";
export { REDIS_DEFAULT_IMAGE, REDIS_DEFAULT_RESOURCES, REDIS_DEFAULT_STORAGE_SIZE, REDIS_IMAGE_GID } from "./redis";
export { REDIS_CONF_DEFAULTS, REDIS_DEFAULT_MAXMEMORY, REDIS_DEFAULT_PORT } from "./redis-conf";
export { ROUTE_DEFAULT_KIND, ROUTE_DEFAULT_TIMEOUT } from "./route";
export { STORAGE_DEFAULT_ACCESS_MODE, STORAGE_DEFAULT_SIZE } from "./storage";
export {
    DEFAULT_CPU_UTILIZATION,
    DEFAULT_PROGRESS_DEADLINE_SECONDS,
    DEFAULT_REVISION_HISTORY_LIMIT,
    DEFAULT_ROLLOUT_TIMEOUT_SECONDS,
    DEFAULT_TERMINATION_GRACE_SECONDS,
} from "./workload";
export { CONTENT_IMAGE_DEFAULT_PATH, VERSION_HEADER_DEFAULT_NAME } from "./facts";

// Images: tags resolved to digests and pinned digests checked at preview (L12, L17).
export { ImageRegistry, REGISTRY_LOOKUP_TOKEN, resolveImage } from "./images";
export type { ImageRegistryArgs, ImageRequest, RegistryCredential, ResolveOptions } from "./images";
export type { ImageRef } from "./image-ref";
export type { ImageRole } from "./facts";

// Errors: every problem a caller can cause, in the `field: problem (got v). Fix: … [Lxx]` format.
export { HIDDEN, ProblemsReported, reportingProblems, WebStackArgError } from "./errors";
export type { ArgPaths, FieldProblem } from "./errors";

// The generated configuration files, as pure functions of typed options.
export { NGINX_DEFAULTS, renderNginxConf } from "./nginx-conf";
export type { ApiRouting, NginxConfOptions } from "./nginx-conf";
export { REDIS_MAXMEMORY_POLICIES, renderRedisConf } from "./redis-conf";
export type { RedisConfOptions, RedisMaxmemoryPolicy } from "./redis-conf";
