/** The policy violations the CLI prints (its text output: `--json` leaves them out), one entry per violation. */
export interface PrintedViolation {
    level: string;
    policy: string;
    /** The object's resource type, from `(<type>: <name>)`. */
    type: string;
    /** The object's resource name, from `(<type>: <name>)`. */
    name: string;
    /** The message lines under the heading, joined by spaces. */
    text: string;
}

/** `- [level] [severity: …] <policy> (<type>: <name>)` headings and the message lines under each. */
export function printedViolations(output: string): PrintedViolation[] {
    const heading = /- \[(mandatory|advisory)\](?:\s+\[severity: [a-z]+\])?\s+(\S+)\s+\((\S+): (\S+)\)\s*$/;
    const lines = output.split("\n");
    const found: PrintedViolation[] = [];
    lines.forEach((line, i) => {
        const head = heading.exec(line);
        if (head) {
            const body: string[] = [];
            for (let j = i + 1; j < lines.length && !heading.test(lines[j]) && lines[j].trim() !== ""; j++) {
                body.push(lines[j].trim());
            }
            found.push({ level: head[1], policy: head[2], type: head[3], name: head[4], text: body.join(" ") });
        }
    });
    return found;
}
