// CONTRACT STUB (to be replaced by the images work): turning an image reference from config into the
// digest-pinned reference that is deployed (L12, L17).
import * as pulumi from "@pulumi/pulumi";

export interface ImageRequest {
  /** The reference as written in config: `repo[:tag][@sha256:<64 hex>]`. */
  ref: string;
  /** Where it came from, for error messages, e.g. "api.image". */
  field: string;
}

export interface ResolveOptions {
  /** Reject references without a digest outright (qa). Default false. */
  requireDigest?: boolean;
  /** Parent for any child resource (e.g. the docker provider). */
  parent?: pulumi.Resource;
}

/** Returns `repo@sha256:<digest>` for the request; throws a clear error naming `field` when it cannot. */
export function resolveImage(req: ImageRequest, _opts: ResolveOptions = {}): pulumi.Output<string> {
  const m = /^(.+?)(?::[\w][\w.-]{0,127})?@(sha256:[0-9a-f]{64})$/.exec(req.ref);
  if (!m) {
    throw new Error(`${req.field}: image "${req.ref}" is not digest-pinned; use repo@sha256:<64 hex> (L12)`);
  }
  return pulumi.output(`${m[1]}@${m[2]}`);
}
