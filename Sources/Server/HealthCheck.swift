import Foundation
import Postgres

/// Tells whether the database answers, on a connection of its own, off the server's event loops.
final class HealthCheck: @unchecked Sendable {
    private let connect: () throws -> Connection
    private let lock = NSLock()
    private var connection: Connection?

    init(connect: @escaping () throws -> Connection) { self.connect = connect }

    /// nil when `SELECT 1` succeeds, else why it failed.
    func databaseProblem() async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { [self] in continuation.resume(returning: check()) }
        }
    }

    private func check() -> String? {
        lock.lock()
        defer { lock.unlock() }
        do {
            let connection = try self.connection ?? connect()
            self.connection = connection
            _ = try connection.execute("SELECT 1")
            return nil
        } catch {
            connection = nil
            return "\(error)"
        }
    }
}
