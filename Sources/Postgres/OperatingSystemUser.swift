import Foundation

/// The operating-system user that runs the embedded server: the current one, or an
/// unprivileged one when the current user is root.
struct OperatingSystemUser {
    /// The account name to switch to, or nil to run as the current user.
    let name: String?
    let uid: uid_t
    let gid: gid_t

    /// The current user, unless it is root; then `CDRSTORE_PG_OS_USER` or `postgres`.
    static func forServer() throws -> OperatingSystemUser {
        guard geteuid() == 0 else { return OperatingSystemUser(name: nil, uid: geteuid(), gid: getegid()) }
        let name = ProcessInfo.processInfo.environment["CDRSTORE_PG_OS_USER"] ?? "postgres"
        guard let entry = getpwnam(name) else {
            throw EmbeddedClusterError(
                "running as root, cdrstore needs an unprivileged user to run PostgreSQL and '\(name)' does not exist; "
                    + "create it (useradd --system \(name)) or set CDRSTORE_PG_OS_USER to another one"
            )
        }
        return OperatingSystemUser(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// Gives the server's user the directories it writes to.
    func takeOwnership(of paths: [String]) throws {
        guard let name else { return }
        for path in paths where chown(path, uid, gid) != 0 {
            throw EmbeddedClusterError("could not hand \(path) to the user '\(name)' (errno \(errno))")
        }
    }

    /// Throws a sentence naming the first folder on the way to `directory` that this user cannot
    /// pass through (a home under `/root`, whose mode is 0700), or `directory` itself when it
    /// cannot write there; `setting` names what chose the directory.
    func requireReach(_ directory: String, asHomeOf setting: String) throws {
        guard let name, try !succeeds("/usr/bin/test", ["-w", directory, "-a", "-x", directory]) else { return }
        var path = ""
        for component in directory.split(separator: "/") {
            path += "/" + component
            guard try succeeds("/usr/bin/test", ["-x", path]) else {
                throw EmbeddedClusterError(
                    "the PostgreSQL server runs as the user '\(name)', which cannot enter \(path); "
                        + "choose a \(setting) it can reach (such as /var/lib/cdrstore) or open that folder to it")
            }
        }
        throw EmbeddedClusterError(
            "the PostgreSQL server runs as the user '\(name)', which cannot write in \(directory); "
                + "choose another \(setting) or give that folder to it")
    }

    /// Runs a program as this user and throws `failure` with its output when it fails.
    func run(_ program: String, _ arguments: [String], failure: String) throws {
        let (status, output) = try ChildProcess.run(command(program, arguments))
        guard status == 0 else {
            throw EmbeddedClusterError("\(failure): \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// Runs a program as this user and tells whether it exited with status 0.
    func succeeds(_ program: String, _ arguments: [String]) throws -> Bool {
        try ChildProcess.run(command(program, arguments)).status == 0
    }

    private func command(_ program: String, _ arguments: [String]) -> [String] {
        guard let name else { return [program] + arguments }
        return ["/usr/sbin/runuser", "-u", name, "--", "/usr/bin/env", "-C", "/", program] + arguments
    }
}

/// Runs a program to completion with `posix_spawn`, its output captured in a temporary file.
///
/// - Important: not Foundation's `Process`, whose exit detection can hang when the child leaves
///   a daemon behind (as `pg_ctl start` does). The child gets no descriptor beyond 0-2, neither
///   cdrstore's nor one cdrstore itself inherited (a parent's process monitor, for one), so the
///   daemon holds nothing that makes cdrstore's own parent wait for it.
enum ChildProcess {
    /// Runs `command` (a path and its arguments) and returns its exit status and combined output.
    static func run(_ command: [String]) throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("cdrstore-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).out").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let arguments = command.map { strdup($0) } + [nil]
        defer {
            for argument in arguments { free(argument) }
        }
        markDescriptorsCloseOnExec()
        var pid = pid_t()
        let spawned = posix_spawn(&pid, command[0], &actions, nil, arguments, environ)
        guard spawned == 0 else {
            throw EmbeddedClusterError("cannot run \(command[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7F == 0
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), output)
    }

    /// Marks every open descriptor above 2 close-on-exec, inherited ones included.
    private static func markDescriptorsCloseOnExec() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for descriptor in entries.compactMap({ Int32($0) }) where descriptor > 2 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
