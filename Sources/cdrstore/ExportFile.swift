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

/// The export files of a lookup of several identifiers.
enum ExportFileNames {
    /// `path` itself for one identifier; for several, `path` numbered from 1 before its extension
    /// (`case.xml` → `case-1.xml`, `case-2.xml`, ...).
    static func numbered(_ path: String, count: Int) -> [String] {
        guard count > 1 else { return [path] }
        let name = path as NSString
        let directory = name.deletingLastPathComponent
        let file = name.lastPathComponent as NSString
        let stem = file.deletingPathExtension
        let suffix = file.pathExtension.isEmpty ? "" : "." + file.pathExtension
        return (1...count).map { index in
            let numbered = "\(stem)-\(index)\(suffix)"
            return directory.isEmpty ? numbered : (directory as NSString).appendingPathComponent(numbered)
        }
    }
}
