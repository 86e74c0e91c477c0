import Foundation
import Postgres

/// Runs the built `cdrstore` binary, as a user would.
public enum CLIRunner {
    /// What a run printed and how it ended.
    public struct Result: Sendable {
        /// Exit status (128 + signal when killed).
        public let status: Int32
        /// Standard output.
        public let stdout: String
        /// Standard error.
        public let stderr: String
    }

    /// The `cdrstore` binary next to the test bundle in the build folder.
    public static var binary: String {
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("cdrstore").path
    }

    /// Runs `cdrstore` with arguments and extra environment, waits, and returns its output.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw CLIRunnerError(description: "the cdrstore binary is not at \(binary); build it with swift build")
        }
        let process = try start(arguments, environment: environment)
        process.waitUntilExit()
        return process.result()
    }

    /// Starts `cdrstore` without waiting; the caller may kill it.
    public static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> RunningCLI {
        try RunningCLI(binary: binary, arguments: arguments, environment: environment)
    }
}

/// The CLI binary could not be run.
public struct CLIRunnerError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
}

/// A `cdrstore` process started by a test, its output going to temporary files.
public final class RunningCLI: @unchecked Sendable {
    private let process = Process()
    private let outPath: String
    private let errPath: String

    init(binary: String, arguments: [String], environment: [String: String]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cdrstore-cli-\(UInt64.random(in: 0...UInt64.max))"
        ).path
        outPath = base + ".out"
        errPath = base + ".err"
        guard FileManager.default.createFile(atPath: outPath, contents: nil),
            FileManager.default.createFile(atPath: errPath, contents: nil)
        else { throw CLIRunnerError(description: "cannot create output files under \(base)") }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for key in ["DATABASE_URL", "PGHOST", "PGSERVICE", "PGDATABASE", "PGUSER"] { merged[key] = nil }
        merged.merge(environment) { _, new in new }
        process.environment = merged
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
    }

    deinit {
        unlink(outPath)
        unlink(errPath)
    }

    /// Sends SIGKILL, as `kill -9` does, and waits for the process to end.
    public func killHard() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Sends SIGTERM, as a service manager stopping the service does.
    public func terminate() { kill(process.processIdentifier, SIGTERM) }

    /// Waits for the process to end.
    public func waitUntilExit() { process.waitUntilExit() }

    /// True while the process runs.
    public var isRunning: Bool { process.isRunning }

    /// The output so far and the exit status (after it ended).
    public func result() -> CLIRunner.Result {
        let status =
            process.isRunning
            ? -1
            : (process.terminationReason == .uncaughtSignal
                ? 128 + process.terminationStatus : process.terminationStatus)
        return CLIRunner.Result(
            status: status,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}

extension CLIRunner {
    /// Runs `arguments` (an ingest) again and again, each run killed with SIGKILL after a wait that
    /// starts at `delay` and grows by `step` after each run that stored nothing new (a loaded
    /// machine starts it slowly), until `interruptions` runs were killed after storing some but not
    /// all of `total` rows in `cdr.call`, a run finished before its kill, or 20 runs; returns how
    /// many runs were killed that way.
    public static func killRepeatedly(
        _ arguments: [String], delay: Double, step: Double, total: Int, interruptions: Int = 3,
        on connection: Connection
    ) throws -> Int {
        var interrupted = 0
        var wait = delay
        var stored = 0
        for _ in 0..<20 where interrupted < interruptions {
            let running = try start(arguments)
            Thread.sleep(forTimeInterval: wait)
            let finished = !running.isRunning
            running.killHard()
            if finished { break }
            let nowStored = Int(try connection.execute("SELECT count(*) FROM cdr.call").scalar ?? "0") ?? 0
            if nowStored > stored && nowStored < total { interrupted += 1 } else { wait += step }
            stored = nowStored
        }
        return interrupted
    }
}
