#if canImport(Glibc)
    import Glibc
#endif

/// Reads a feed file in fixed-size chunks from a byte offset and runs a parser over it, so that
/// memory stays flat whatever the file's size.
public struct FeedFileReader: Sendable {
    /// How much is read at a time: 4 MiB.
    public static let chunkBytes = 4 << 20

    /// How a read ended.
    public struct Outcome: Sendable, Equatable {
        /// The offset just past the last complete record: where the next run resumes.
        public var consumedOffset: Int64
        /// Lines consumed up to `consumedOffset`.
        public var linesConsumed: Int64
        /// Bytes after `consumedOffset`: an unterminated last line, left for the next run.
        public var pendingBytes: Int64
    }

    private let descriptor: Int32
    /// The path as given.
    public let path: String

    /// Opens a regular file for reading; throws a plain sentence when it cannot: missing,
    /// unreadable, a directory, or not a regular file (a FIFO would block, a device never ends).
    /// The file is opened without blocking, so that a FIFO is refused rather than waited on.
    public init(path: String) throws(FeedReadError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            let reason: String
            switch errno {
            case ENOENT: reason = "there is no file \(path)"
            case EACCES: reason = "\(path) is not readable by this user"
            default: reason = "cannot open \(path): \(String(cString: strerror(errno)))"
            }
            throw FeedReadError(reason)
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = Glibc.close(descriptor)
            throw FeedReadError("cannot read \(path): \(reason)")
        }
        if let kind = Self.nonRegularKind(status.st_mode) {
            _ = Glibc.close(descriptor)
            throw FeedReadError("\(path) is \(kind), not a regular file; cdrstore reads feed files only")
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        self.descriptor = descriptor
        self.path = path
    }

    /// What a file that is not a regular file is, in words; nil for a regular file.
    private static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }

    /// Closes the file.
    public func close() { _ = Glibc.close(descriptor) }

    /// The file's size now.
    public func size() -> Int64 {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? Int64(status.st_size) : 0
    }

    /// Reads up to `count` bytes at `offset`.
    public func read(at offset: Int64, count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let got = pread(descriptor, buffer.baseAddress, count, off_t(offset))
            initialized = max(0, got)
        }
    }

    /// Parses from `offset` to the end of the file as it is now. Starting mid-file, it first
    /// gives the parser the file's first bytes (`FeedParser.prepare(fileStart:)`), so that a
    /// format with a header line knows its columns when it resumes after it. With `endsFile`, the
    /// file is known to be complete (it will not grow): an unterminated last line is read as if
    /// it ended there.
    public func parse(
        from offset: Int64, with parser: inout some FeedParser, endsFile: Bool = false,
        progress: (Int64) -> Void = { _ in }, emit: (FeedEvent) throws -> Void
    ) throws -> Outcome {
        if offset > 0 {
            let fileStart = read(at: 0, count: Int(min(offset, Int64(FeedLimits.maxRecordBytes))))
            fileStart.withUnsafeBytes { parser.prepare(fileStart: $0) }
        }
        var buffer = [UInt8](
            repeating: 0, count: Self.chunkBytes + FeedLimits.maxRecordBytes * 2)
        var filled = 0
        var bufferOffset = offset
        var atEnd = false
        while !atEnd {
            let capacity = buffer.count - filled
            let got = buffer.withUnsafeMutableBytes { raw in
                pread(
                    descriptor, raw.baseAddress! + filled, min(capacity, Self.chunkBytes),
                    off_t(bufferOffset + Int64(filled)))
            }
            guard got >= 0 else { throw FeedReadError("cannot read \(path): \(String(cString: strerror(errno)))") }
            filled += got
            atEnd = got == 0
            let consumed = try buffer.withUnsafeBytes { raw in
                try parser.parse(
                    UnsafeRawBufferPointer(rebasing: raw[0..<filled]), baseOffset: bufferOffset,
                    atEnd: atEnd, emit: emit)
            }
            if consumed > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    raw.baseAddress!.copyMemory(from: raw.baseAddress! + consumed, byteCount: filled - consumed)
                }
                filled -= consumed
                bufferOffset += Int64(consumed)
            }
            progress(bufferOffset)
        }
        let fileEnd = bufferOffset + Int64(filled)
        if endsFile, filled > 0, filled < buffer.count {
            buffer[filled] = UInt8(ascii: "\n")
            let consumed = try buffer.withUnsafeBytes { raw in
                try parser.parse(
                    UnsafeRawBufferPointer(rebasing: raw[0...filled]), baseOffset: bufferOffset, atEnd: true,
                    emit: emit)
            }
            filled = max(filled - consumed, 0)
            bufferOffset = min(bufferOffset + Int64(consumed), fileEnd)
        }
        let resumeAt = min(parser.unfinishedRecordOffset ?? bufferOffset, fileEnd)
        return Outcome(
            consumedOffset: resumeAt, linesConsumed: parser.linesConsumed,
            pendingBytes: bufferOffset + Int64(filled) - resumeAt)
    }
}

/// A feed file that cannot be read, with a sentence saying why.
public struct FeedReadError: Error, CustomStringConvertible, Sendable {
    /// The sentence.
    public let description: String
    init(_ description: String) { self.description = description }
}
