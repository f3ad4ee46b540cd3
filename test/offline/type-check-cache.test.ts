// The check's type check remembers a clean result with everything it read and probed, and trusts it only while all
// of that is unchanged: an edited source, an edited declaration in node_modules, or a new file that module resolution
// would now pick all make it check again and report what is wrong.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TypeCheckError, typeCheckProgram } from "../../offline/type-check";

describe("offline check: the type check's cache of clean results (L22)", function () {
    let dir: string;
    let cache: string;
    let program: string;
    const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    };
    const check = () => typeCheckProgram(program, {}, cache);

    beforeEach(function () {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "webstack-typecheck-"));
        cache = path.join(dir, "cache");
        program = path.join(dir, "index.ts");
        write("tsconfig.json", JSON.stringify({ compilerOptions: { strict: true, types: [], lib: ["es2020"] } }));
        write("node_modules/greeting/package.json", JSON.stringify({ name: "greeting", types: "index.d.ts" }));
        write("node_modules/greeting/index.d.ts", "export declare function greet(name: string): string;\n");
        write("util/index.ts", "export const port: number = 8080;\n");
        write(
            "index.ts",
            'import { greet } from "greeting";\nimport { port } from "./util";\nexport const line: string = greet("api") + port;\n',
        );
    });

    afterEach(function () {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("checks a clean program once, then finds it unchanged", function () {
        assert.strictEqual(check(), "checked");
        assert.strictEqual(check(), "unchanged");
    });

    it("checks again and reports the error after a source file changes", function () {
        check();
        write("util/index.ts", 'export const port: string[] = ["8080"];\nexport const n: number = "x";\n');
        assert.throws(check, (err: Error) => err instanceof TypeCheckError && /TS2322/.test(err.message));
        // Errors are never remembered: the same broken program fails again.
        assert.throws(check, TypeCheckError);
    });

    it("checks again after a declaration file in node_modules changes", function () {
        check();
        write("node_modules/greeting/index.d.ts", "export declare function greet(name: number): string;\n");
        assert.throws(check, (err: Error) => err instanceof TypeCheckError && /TS2345/.test(err.message));
    });

    it("checks again when a new file changes what an import resolves to (./util.ts now wins over ./util/index.ts)", function () {
        check();
        write("util.ts", "export const port: boolean = true;\nexport const broken: number = true;\n");
        assert.throws(check, (err: Error) => err instanceof TypeCheckError && /util\.ts/.test(err.message));
    });

    it("keeps one result per entry point: another program is checked on its own", function () {
        check();
        write("other.ts", 'import { port } from "./util";\nexport const p: number = port;\n');
        assert.strictEqual(typeCheckProgram(path.join(dir, "other.ts"), {}, cache), "checked");
        assert.strictEqual(check(), "unchanged");
    });
});
