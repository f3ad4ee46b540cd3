/** File-system errors in words, for messages about the user's files (never a bare errno, never the wrong cause). */

/** The cause of a file-system error in words, with its code (permission problems are never "no such file"). */
export function describeFsError(err: unknown): string {
    const e = err as NodeJS.ErrnoException;
    const words: Record<string, string> = {
        EACCES: "permission denied",
        EPERM: "operation not permitted",
        ENOENT: "no such file or directory",
        ENOTDIR: "a part of the path is a file, not a directory",
        ELOOP: "too many levels of symbolic links (a symlink loop)",
        ENAMETOOLONG: "the name is too long",
        EROFS: "read-only file system",
        ENOSPC: "no space left on the device",
        EISDIR: "is a directory",
    };
    const code = typeof e?.code === "string" ? e.code : undefined;
    return code === undefined ? String(e?.message ?? err) : `${words[code] ?? e.message} (${code})`;
}

/** What a non-regular, non-directory file is, for "skipped" lists: reading one can block forever or never end. */
export function specialFileKind(stat: {
    isFIFO(): boolean;
    isSocket(): boolean;
    isCharacterDevice(): boolean;
    isBlockDevice(): boolean;
}): string {
    return stat.isFIFO()
        ? "FIFO (named pipe)"
        : stat.isSocket()
          ? "socket"
          : stat.isCharacterDevice()
            ? "character device"
            : stat.isBlockDevice()
              ? "block device"
              : "special file";
}
