// The environment `pulumi up` needs for the kubernetes provider to wait for a Deployment's real rollout (L15).
// The provider's Deployment await (pulumi-kubernetes 4.x, provider/pkg/await/deployment.go) starts an informer right
// after it patches the Deployment. client-go's informer lists first at resourceVersion "0", which kube-apiserver may
// answer from its watch cache before the cache holds that patch. The await then reads the previous revision's
// finished rollout as the new one's, and `pulumi up` succeeds before the rollout has started
// (docs/interrupted-deploys.md). With client-go's WatchListClient feature the informer starts from a consistent
// read instead; client-go turns features on from KUBE_FEATURE_<name> variables, and the provider inherits the
// CLI's environment.

/** The variable that turns on client-go's streaming list in the kubernetes provider. */
export const WATCH_LIST_ENV = "KUBE_FEATURE_WatchListClient";

/** What client-go's feature gate reads as true (strconv.ParseBool, k8s.io/client-go/features/envvar.go). */
const PARSE_BOOL_TRUE = ["1", "t", "T", "TRUE", "true", "True"];

/** The provider's environment the deploy commands set: the variable above, on. */
export const PROVIDER_ENV: Readonly<Record<string, string>> = { [WATCH_LIST_ENV]: "true" };

/** The warning `pulumi preview`/`up` prints when the environment leaves the streaming list off, else undefined. */
export function watchListWarning(env: Record<string, string | undefined>): string | undefined {
    const value = env[WATCH_LIST_ENV];
    if (value !== undefined && PARSE_BOOL_TRUE.includes(value)) {
        return undefined;
    }
    const now = value === undefined ? "is not set" : `is ${JSON.stringify(value)}`;
    return (
        `${WATCH_LIST_ENV} ${now}: the kubernetes provider may report a Deployment rolled out before its rollout ` +
        `has started, so pulumi up can succeed with pods that never become Ready (L15). ` +
        `Fix: export ${WATCH_LIST_ENV}=${PROVIDER_ENV[WATCH_LIST_ENV]} before pulumi preview/up ` +
        `(docs/interrupted-deploys.md)`
    );
}
