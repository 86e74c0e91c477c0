import Foundation

/// A `cdrstore serve` process started by a test, restartable after `kill -9`; it listens on a port
/// the system picks (`listen: 127.0.0.1:0`), which `port` reads from its "listening on" line.
public final class ServeProcess: @unchecked Sendable {
    private let arguments: [String]
    private let lock = NSLock()
    private var running: RunningCLI?
    private var currentPort = 0
    /// The stderr of every process started so far, for failure messages.
    private var pastOutput = ""

    /// Starts `cdrstore serve` with `arguments` and waits until it listens.
    public init(arguments: [String]) throws {
        self.arguments = ["serve"] + arguments
        try start()
    }

    /// The port the current process listens on (0 while it is down).
    public var port: Int { lock.withLock { currentPort } }

    /// Everything the processes wrote to stderr so far.
    public var output: String { lock.withLock { pastOutput + (running?.result().stderr ?? "") } }

    /// Starts a new process and waits (up to 60 s) for its "listening on" line.
    public func start() throws {
        let process = try CLIRunner.start(arguments)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let result = process.result()
            if let port = Self.listeningPort(in: result.stderr) {
                lock.withLock {
                    running = process
                    currentPort = port
                }
                return
            }
            guard process.isRunning else {
                throw CLIRunnerError(description: "cdrstore serve exited (\(result.status)): \(result.stderr)")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.killHard()
        throw CLIRunnerError(description: "cdrstore serve did not start listening within 60 s")
    }

    /// Kills the process with SIGKILL, as `kill -9` does.
    public func killHard() {
        guard let process = take() else { return }
        process.killHard()
        lock.withLock { pastOutput += process.result().stderr }
    }

    /// Stops the process with SIGTERM and returns its exit status and stderr.
    public func terminate() -> CLIRunner.Result? {
        guard let process = take() else { return nil }
        process.terminate()
        process.waitUntilExit()
        let result = process.result()
        lock.withLock { pastOutput += result.stderr }
        return result
    }

    private func take() -> RunningCLI? {
        lock.withLock {
            defer {
                running = nil
                currentPort = 0
            }
            return running
        }
    }

    private static func listeningPort(in stderr: String) -> Int? {
        guard let range = stderr.range(of: "cdrstore: listening on ") else { return nil }
        let rest = stderr[range.upperBound...].prefix { $0 != "\n" }
        guard stderr[range.upperBound...].contains("\n"), let colon = rest.lastIndex(of: ":") else { return nil }
        return Int(rest[rest.index(after: colon)...])
    }
}
