// How tests read what the offline harness recorded.
import type { RecordedResource } from "../../offline/types";

/**
 * A recorded resource whose inputs and outputs a test reads as untyped JSON (`r.inputs.spec.replicas`): the harness
 * types them `unknown` for its own code, and a test's assertions fail on a wrong shape anyway. Every
 * RecordedResource is one, so helpers that find a resource return this type and tests need no casts.
 */
export type LooseRecordedResource = RecordedResource & {
    inputs: Record<string, any>;
    outputs: Record<string, any>;
};
