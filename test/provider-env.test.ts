// The provider environment check (program/provider-env.ts): which values of KUBE_FEATURE_WatchListClient turn
// client-go's streaming list on, as its feature gate parses them, and what the warning says otherwise (L15).
import { strict as assert } from "assert";
import { PROVIDER_ENV, WATCH_LIST_ENV, watchListWarning } from "../program/provider-env";

describe("provider environment: KUBE_FEATURE_WatchListClient for the kubernetes provider's Deployment await [L15]", () => {
    it("[L15] no warning for the values client-go's feature gate reads as true (strconv.ParseBool), the deploy env among them", () => {
        for (const value of ["1", "t", "T", "TRUE", "true", "True", PROVIDER_ENV[WATCH_LIST_ENV]]) {
            assert.equal(watchListWarning({ [WATCH_LIST_ENV]: value }), undefined, value);
        }
    });

    it("[L15] unset: the warning names the variable, says it is not set, what can go wrong and the export that fixes it", () => {
        const warning = watchListWarning({});
        assert.ok(warning);
        assert.match(warning, /^KUBE_FEATURE_WatchListClient is not set: /);
        assert.match(warning, /pulumi up can succeed with pods that never become Ready \(L15\)/);
        assert.match(warning, /Fix: export KUBE_FEATURE_WatchListClient=true before pulumi preview\/up/);
    });

    it('[L15] a value client-go reads as false or cannot parse ("false", "yes", "", "on") warns and quotes it', () => {
        for (const value of ["false", "yes", "", "on", "0"]) {
            const warning = watchListWarning({ [WATCH_LIST_ENV]: value });
            assert.ok(warning, value);
            assert.ok(warning.startsWith(`${WATCH_LIST_ENV} is ${JSON.stringify(value)}: `), warning);
        }
    });
});
