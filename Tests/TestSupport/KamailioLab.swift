import Foundation

/// A real Kamailio on loopback, started with the repository's `deploy/kamailio/kamailio.cfg`, and
/// sipp callees behind it: calls placed with the repository's sipp scenarios leave acc log lines in
/// `logPath`. Kamailio and sipp are Debian's `kamailio` and `sip-tester` packages.
public final class KamailioLab: @unchecked Sendable {
    /// How a callee behaves: the sipp scenario it runs.
    public enum Callee: String, CaseIterable, Sendable {
        case answers = "uas-answers"
        case hangsUp = "uas-hangs-up"
        case refuses404 = "uas-refuses-404"
        case refuses480 = "uas-refuses-480"
        case refuses486 = "uas-refuses-486"
        case refuses603 = "uas-refuses-603"
        case rings = "uas-rings"
    }

    /// The repository's `deploy/kamailio` folder.
    public static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("deploy/kamailio")

    /// Where Kamailio writes its log lines (stderr).
    public let logPath: String
    private let work: TemporaryFolder
    private let proxyPort: Int
    private let callerPort: Int
    private var calleePorts: [Callee: Int] = [:]
    private var processes: [pid_t] = []

    /// Starts Kamailio (dialogs without BYE expire after `dialogTimeout` seconds) and one sipp
    /// process per kind of callee; throws when either program is missing or does not start.
    public init(dialogTimeout: Int = 3) throws {
        work = try TemporaryFolder()
        logPath = work.path + "/kamailio.log"
        let base = Int.random(in: 20_000...30_000)  // below the ephemeral ports other tests bind
        proxyPort = base
        callerPort = base + 1
        let kamailio = try Self.program("/usr/sbin/kamailio", package: "kamailio")
        try launch(
            kamailio,
            [
                "-A", "DIALOG_TIMEOUT=\(dialogTimeout)", "-DD", "-E", "-f", Self.folder.path + "/kamailio.cfg",
                "-l", "udp:127.0.0.1:\(proxyPort)", "-w", work.path, "-Y", work.path, "-P", work.path + "/kamailio.pid",
            ], output: logPath)
        let sipp = try Self.program("/usr/bin/sipp", package: "sip-tester")
        for (offset, callee) in Callee.allCases.enumerated() {
            let port = base + 2 + offset
            calleePorts[callee] = port
            try launch(
                sipp,
                [
                    "-sf", Self.folder.path + "/sipp/\(callee.rawValue).xml", "-i", "127.0.0.1", "-p", String(port),
                    "-nostdin",
                ], output: work.path + "/\(callee.rawValue).out")
        }
        try waitForLog(containing: "Listening on", or: "udp: 127.0.0.1", seconds: 10)
        Thread.sleep(forTimeInterval: 0.5)
    }

    deinit { stop() }

    /// Places one call from `caller` to `callee` number with a sipp caller scenario
    /// (`uac-….xml`), waits for it and throws unless sipp saw it go as the scenario says.
    public func call(_ scenario: String, from caller: String, to callee: String, reaching kind: Callee) throws {
        let sipp = try Self.program("/usr/bin/sipp", package: "sip-tester")
        let output = work.path + "/\(scenario)-\(callee).out"
        let pid = try Self.spawn(
            sipp,
            [
                "127.0.0.1:\(calleePorts[kind]!)", "-rsa", "127.0.0.1:\(proxyPort)", "-sf",
                Self.folder.path + "/sipp/\(scenario).xml", "-s", callee, "-key", "caller", caller, "-i", "127.0.0.1",
                "-p", String(callerPort), "-m", "1", "-nostdin", "-timeout", "30", "-timeout_error",
            ], output: output)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        guard status == 0 else {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw CLIRunnerError(
                description: "sipp \(scenario) to \(callee) ended with status \(status): \(text.suffix(1500))")
        }
    }

    /// The log's lines so far.
    public func logLines() throws -> [String] {
        try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// Waits until the log has `count` lines containing `text`; throws after `seconds`.
    public func waitForLines(containing text: String, count: Int, seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try logLines().filter({ $0.contains(text) }).count >= count { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw CLIRunnerError(
            description: "Kamailio's log has fewer than \(count) lines with '\(text)' after \(seconds) s: "
                + ((try? logLines().suffix(20).joined(separator: "\n")) ?? ""))
    }

    /// Stops Kamailio and the callees.
    public func stop() {
        for pid in processes { kill(pid, SIGTERM) }
        for pid in processes {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        }
        processes = []
    }

    private func launch(_ program: String, _ arguments: [String], output: String) throws {
        processes.append(try Self.spawn(program, arguments, output: output))
    }

    /// Starts `program` with stdin from /dev/null and stdout and stderr into the file
    /// `output`; returns its process id.
    private static func spawn(_ program: String, _ arguments: [String], output: String) throws
        -> pid_t
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        // The test runner blocks some signals; Kamailio's timers and sipp's -timeout need them.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, program, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw CLIRunnerError(description: "cannot start \(program): \(String(cString: strerror(result)))")
        }
        return pid
    }

    private func waitForLog(containing first: String, or second: String, seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if text.contains(first) || text.contains(second) { return }
            guard let kamailio = processes.first, kill(kamailio, 0) == 0 else { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        throw CLIRunnerError(description: "Kamailio did not start: \(text.suffix(2000))")
    }

    private static func program(_ path: String, package: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CLIRunnerError(description: "\(path) is missing: install Debian's \(package) package")
        }
        return path
    }

}
