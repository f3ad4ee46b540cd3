/**
 * A temp directory with manifests and a waiver file, and the pack's waiver variables pointed at it for the test:
 * the compliant manifests with Deployment "web" on port 80 (no-privileged-ports, mandatory) and a copy "legacy".
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { WAIVER_FILE_ENV, WAIVER_NOW_ENV } from "../../policy/waiver-settings";
import { ROOT } from "../support/check";

export const COMPLIANT = path.join(ROOT, "test", "fixtures", "manifests", "compliant");
export const ANNOTATION = "waive.webstack.dev/no-privileged-ports";
/** The day the tests take as today ($WEBSTACK_WAIVER_NOW). */
export const TODAY = "2026-12-04";

/** Waives no-privileged-ports for Deployment shop/legacy (line 3), until 2027-01-15. */
export const LEGACY_WAIVER = `# waivers for the check test
waivers:
  - policy: no-privileged-ports
    kind: Deployment
    namespace: shop
    name: legacy
    owner: team-legacy
    expires: 2027-01-15
    reason: replaced by web in Q1; INC-7
`;

export class WaiverSandbox {
    dir = "";
    private saved: [string, string | undefined][] = [];

    /** Call in beforeEach: a fresh directory, $WEBSTACK_WAIVERS and $WEBSTACK_WAIVER_NOW set. */
    open(): void {
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "waivers-sandbox-"));
        this.saved = [WAIVER_FILE_ENV, WAIVER_NOW_ENV].map((k) => [k, process.env[k]]);
        process.env[WAIVER_FILE_ENV] = path.join(this.dir, "policy-waivers.yaml");
        process.env[WAIVER_NOW_ENV] = TODAY;
    }

    /** Call in afterEach: the directory removed, the variables as they were. */
    close(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
        for (const [key, value] of this.saved) {
            if (value === undefined) {
                delete process.env[key];
            } else {
                process.env[key] = value;
            }
        }
    }

    get manifests(): string {
        return path.join(this.dir, "manifests");
    }

    /** Writes the manifests; `annotation` is the waiver annotation's value on "web", `secretAnnotation` adds a bad one to the Secret. */
    writeManifests(annotation: string | undefined, secretAnnotation = false): void {
        const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(COMPLIANT, "web.yaml"), "utf8")).map((d) =>
            d.toJS(),
        );
        const settings = YAML.parse(fs.readFileSync(path.join(COMPLIANT, "settings.yaml"), "utf8"));
        if (secretAnnotation) {
            settings.items.find((i: { kind: string }) => i.kind === "Secret").metadata.annotations = {
                [ANNOTATION]: "owner=o; reason=r",
            };
        }
        fs.mkdirSync(this.manifests);
        fs.writeFileSync(path.join(this.manifests, "settings.yaml"), YAML.stringify(settings));
        const out = docs.flatMap((doc) => {
            if (doc.kind !== "Deployment") {
                return [doc];
            }
            doc.spec.template.spec.containers[0].ports[0].containerPort = 80;
            const legacy = structuredClone(doc);
            legacy.metadata.name = "legacy";
            if (annotation !== undefined) {
                doc.metadata.annotations = { [ANNOTATION]: annotation };
            }
            return [doc, legacy];
        });
        fs.writeFileSync(path.join(this.manifests, "web.yaml"), out.map((d) => YAML.stringify(d)).join("---\n"));
    }

    writeWaivers(text: string): void {
        fs.writeFileSync(path.join(this.dir, "policy-waivers.yaml"), text);
    }
}
