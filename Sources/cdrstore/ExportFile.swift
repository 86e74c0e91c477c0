import Foundation

/// Writes export files that must not replace anything.
enum ExportFile {
    /// Writes `bytes` to a new file at `path`, readable by its owner only; refuses an existing file.
    static func writeNew(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw CLIError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard result > 0 else { throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))") }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
