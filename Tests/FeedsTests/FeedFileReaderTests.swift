import CDRModel
import Feeds
import Foundation
import Testing

/// Reading feed files in chunks from an offset, with the parser run over them.
struct FeedFileReaderTests {
    /// Runs `body` with a fresh temporary folder that is removed afterwards.
    private func withTemporaryFolder(_ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("cdrstore-feeds-tests-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try body(folder)
    }

    private func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    private func row(_ key: Int) -> [UInt8] {
        var row = AsteriskRow()
        row.extra = ["1760184207.\(key)", ""]
        return row.bytes
    }

    /// Reads the whole file from `offset` and returns the events and the outcome.
    private func read(
        _ path: String, from offset: Int64 = 0, linesBefore: Int64 = 0
    ) throws -> ([ParsedEvent], FeedFileReader.Outcome, [Int64]) {
        let reader = try FeedFileReader(path: path)
        defer { reader.close() }
        var parser = try stockholmParser()
        parser.linesConsumed = linesBefore
        var events: [ParsedEvent] = []
        var progress: [Int64] = []
        let outcome = try reader.parse(
            from: offset, with: &parser, progress: { progress.append($0) },
            emit: { events.append(ParsedEvent($0)) })
        return (events, outcome, progress)
    }

    @Test("The outcome: consumed offset and lines, and an unterminated last line left pending")
    func outcomeWithPendingLine() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/Master.csv"
            var fragment = AsteriskRow()
            fragment.lineEnd = ""
            let complete = row(1) + row(2) + row(3)
            try write(complete + fragment.bytes, to: path)
            let (events, outcome, progress) = try read(path)
            #expect(events.map { $0.call?.recordKey } == ["1760184207.1", "1760184207.2", "1760184207.3"])
            #expect(
                outcome.consumedOffset == Int64(complete.count) && outcome.linesConsumed == 3
                    && outcome.pendingBytes == Int64(fragment.bytes.count))
            #expect(progress.last == Int64(complete.count))
        }
    }

    @Test("A complete file leaves nothing pending")
    func completeFile() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/Master.csv"
            let bytes = row(1) + row(2)
            try write(bytes, to: path)
            let (events, outcome, _) = try read(path)
            #expect(events.count == 2)
            #expect(
                outcome.consumedOffset == Int64(bytes.count) && outcome.linesConsumed == 2 && outcome.pendingBytes == 0)
        }
    }

    @Test("Reading from a mid-file offset gives absolute offsets and continued line numbers")
    func fromOffset() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/Master.csv"
            let lines = [row(1), row(2), row(3)]
            try write(lines.flatMap { $0 }, to: path)
            let start = Int64(lines[0].count)
            let (events, outcome, _) = try read(path, from: start, linesBefore: 1)
            #expect(events.map { $0.call?.recordKey } == ["1760184207.2", "1760184207.3"])
            #expect(
                events.map(\.position) == [
                    RecordPosition(offset: start, endOffset: start + Int64(lines[1].count), line: 2, endLines: 2),
                    RecordPosition(
                        offset: start + Int64(lines[1].count), endOffset: Int64(lines.flatMap { $0 }.count), line: 3,
                        endLines: 3),
                ])
            #expect(outcome.consumedOffset == Int64(lines.flatMap { $0 }.count))
            #expect(outcome.linesConsumed == 3)
        }
    }

    @Test("An empty file, and an offset at the end of the file, read nothing")
    func emptyReads() throws {
        try withTemporaryFolder { folder in
            let empty = folder + "/empty.csv"
            try write([], to: empty)
            let (events, outcome, _) = try read(empty)
            #expect(events.isEmpty)
            #expect(outcome.consumedOffset == 0 && outcome.linesConsumed == 0 && outcome.pendingBytes == 0)

            let full = folder + "/full.csv"
            try write(row(1), to: full)
            let (none, atEnd, _) = try read(full, from: Int64(row(1).count), linesBefore: 1)
            #expect(none.isEmpty)
            #expect(atEnd.consumedOffset == Int64(row(1).count) && atEnd.linesConsumed == 1 && atEnd.pendingBytes == 0)
        }
    }

    @Test("A file larger than one chunk: every record once, positions contiguous across chunk boundaries")
    func largerThanAChunk() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/big.csv"
            var bytes: [UInt8] = []
            var count = 0
            var badLines: Set<Int> = []
            while bytes.count < FeedFileReader.chunkBytes + FeedFileReader.chunkBytes / 4 {
                count += 1
                if count % 1_000 == 0 {
                    bytes += Array("\"bad\",\"line\"\n".utf8)
                    badLines.insert(count)
                } else {
                    bytes += row(count)
                }
            }
            try write(bytes, to: path)
            let (events, outcome, progress) = try read(path)
            #expect(events.count == count)
            #expect(outcome.consumedOffset == Int64(bytes.count))
            #expect(outcome.linesConsumed == Int64(count))
            #expect(outcome.pendingBytes == 0)
            var expectedOffset: Int64 = 0
            for (index, event) in events.enumerated() {
                let line = index + 1
                guard event.position.offset == expectedOffset, event.position.line == Int64(line),
                    event.position.endLines == Int64(line), (event.rejection != nil) == badLines.contains(line),
                    badLines.contains(line) || event.call?.recordKey == "1760184207.\(line)"
                else {
                    Issue.record("event \(index): \(event)")
                    return
                }
                expectedOffset = event.position.endOffset
            }
            #expect(expectedOffset == Int64(bytes.count))
            #expect(progress == progress.sorted())
            #expect(progress.last == Int64(bytes.count))
        }
    }

    @Test("README: a record longer than 1 MiB in a file is refused")
    func oversizedRecordInFile() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/long.csv"
            var long = AsteriskRow()
            long.extra = ["1760184207.2", String(repeating: "x", count: 1 << 20)]
            try write(row(1) + long.bytes + row(3), to: path)
            let (events, _, _) = try read(path)
            #expect(events.map { $0.call?.recordKey } == ["1760184207.1", nil, "1760184207.3"])
            #expect(events.dropFirst().first?.rejection?.reason.contains("1 MiB") == true)
        }
    }

    @Test("An error thrown by the callback stops the read")
    func callbackError() throws {
        struct Stop: Error {}
        try withTemporaryFolder { folder in
            let path = folder + "/Master.csv"
            try write(row(1) + row(2), to: path)
            let reader = try FeedFileReader(path: path)
            defer { reader.close() }
            var parser = try stockholmParser()
            var seen = 0
            #expect(throws: Stop.self) {
                _ = try reader.parse(from: 0, with: &parser) { _ in
                    seen += 1
                    throw Stop()
                }
            }
            #expect(seen == 1)
        }
    }

    @Test("size and read(at:count:)")
    func sizeAndRead() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/Master.csv"
            try write(Array("0123456789".utf8), to: path)
            let reader = try FeedFileReader(path: path)
            defer { reader.close() }
            #expect(reader.path == path)
            #expect(reader.size() == 10)
            #expect(reader.read(at: 3, count: 4) == Array("3456".utf8))
            #expect(reader.read(at: 8, count: 4) == Array("89".utf8))
            #expect(reader.read(at: 20, count: 4) == [])
        }
    }

    @Test("A missing file, a folder, a FIFO and a device are refused, each with a sentence saying which")
    func unreadable() throws {
        try withTemporaryFolder { folder in
            let fifo = folder + "/pipe"
            #expect(mkfifo(fifo, 0o644) == 0)
            let zero = folder + "/zero.csv"
            #expect(symlink("/dev/zero", zero) == 0)
            let cases = [
                (folder + "/missing.csv", "there is no file \(folder)/missing.csv"),
                (folder, "\(folder) is a directory, not a regular file; cdrstore reads feed files only"),
                (fifo, "\(fifo) is a FIFO (named pipe), not a regular file; cdrstore reads feed files only"),
                (zero, "\(zero) is a character device, not a regular file; cdrstore reads feed files only"),
            ]
            for (path, message) in cases {
                do throws(FeedReadError) {
                    _ = try FeedFileReader(path: path)
                    Issue.record("opened \(path)")
                } catch {
                    #expect(error.description == message)
                }
            }
        }
    }

    @Test("Resuming after a header line: the parser learns the columns from the file's first line")
    func resumeAfterHeader() throws {
        try withTemporaryFolder { folder in
            let path = folder + "/calls.csv"
            let header = "start,end,src,dst,record_key\n"
            let lines = (1...3).map { "2026-10-11 14:0\($0):00,2026-10-11 14:0\($0):30,070,080,k\($0)\n" }
            try write(Array((header + lines.joined()).utf8), to: path)
            let resumeAt = Int64(header.utf8.count + lines[0].utf8.count)
            let reader = try FeedFileReader(path: path)
            defer { reader.close() }
            var parser = try FeedSettings(format: "csv", timeZone: "Europe/Stockholm", countryCode: "46").makeParser()
            parser.linesConsumed = 2
            var events: [ParsedEvent] = []
            let outcome = try reader.parse(from: resumeAt, with: &parser) { events.append(ParsedEvent($0)) }
            #expect(
                events.map(\.call)
                    == [2, 3].map { minute in
                        CallRecord(
                            startTime: microseconds(2026, 10, 11, 12, minute, 0), answerTime: nil,
                            endTime: microseconds(2026, 10, 11, 12, minute, 30), durationSeconds: 30,
                            billableSeconds: 0,
                            source: "070", destination: "080", callType: .voice, disposition: .noAnswer,
                            recordKey: "k\(minute)")
                    })
            #expect(events.map(\.position.line) == [3, 4])
            #expect(outcome.linesConsumed == 4 && outcome.pendingBytes == 0)

            var unprepared = try FeedSettings(format: "csv", timeZone: "UTC", countryCode: nil).makeParser()
            let bytes = reader.read(at: resumeAt, count: 1000)
            let withoutHeader = parseOnce(&unprepared, bytes, baseOffset: resumeAt)
            #expect(withoutHeader.events.first?.rejection?.reason.hasPrefix("header line: unknown column name") == true)
        }
    }
}
