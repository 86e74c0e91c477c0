import Foundation
import Postgres
import Synchronization

/// Tells whether the database answers, on a connection of its own, off the server's event loops.
final class HealthCheck: Sendable {
    private let connect: @Sendable () throws -> Connection
    /// The connection kept between checks; the lock also makes checks run one at a time.
    private let connection = Mutex<Connection?>(nil)

    init(connect: @escaping @Sendable () throws -> Connection) { self.connect = connect }

    /// nil when `SELECT 1` succeeds, else why it failed.
    func databaseProblem() async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { [self] in continuation.resume(returning: check()) }
        }
    }

    private func check() -> String? {
        connection.withLock { kept in
            do {
                let opened = try kept ?? connect()
                kept = opened
                _ = try opened.execute("SELECT 1")
                return nil
            } catch {
                kept = nil
                return "\(error)"
            }
        }
    }
}
