import * as path from "path";

/**
 * The repository root, from source (policy/, offline/: one level up) or from the compiled checker
 * (tsconfig.check.json writes dist/policy/*.js, dist/offline/*.js: two levels up).
 */
export const REPO_ROOT = path.resolve(__dirname, __filename.endsWith(".js") ? "../.." : "..");

/** The project's tool caches (type-check results, the schema index): under node_modules, so npm ci starts them afresh. */
export const WEBSTACK_CACHE = path.join(REPO_ROOT, "node_modules", ".cache", "webstack");
