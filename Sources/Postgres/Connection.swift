import CLibPQ

/// One libpq connection to a PostgreSQL server. Not shared between threads.
public final class Connection {
    private let handle: OpaquePointer

    /// Opens a connection from a libpq connection string (`host=... dbname=...`) or a
    /// `postgresql://` URL. An empty string uses libpq's defaults (`PG*` variables, service files, `.pgpass`).
    public init(_ conninfo: String) throws {
        guard let handle = PQconnectdb(conninfo) else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines()
            PQfinish(handle)
            throw PostgresError(kind: .connection, message: message)
        }
        self.handle = handle
        try executeScript("SET application_name = 'cdrstore'; SET client_min_messages = warning")
    }

    deinit { PQfinish(handle) }

    /// Runs one statement with its parameters bound apart from the SQL text.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [QueryParameter] = []) throws -> QueryResult {
        let result = try withBoundParameters(parameters) { values, lengths, formats in
            PQexecParams(handle, sql, Int32(parameters.count), nil, values, lengths, formats, 0)
        }
        defer { PQclear(result) }
        return try check(result)
    }

    /// Runs a script of several statements separated by semicolons, without parameters.
    public func executeScript(_ sql: String) throws {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        _ = try check(result)
    }

    /// Runs `body` inside `BEGIN` ... `COMMIT`, rolling back when it throws.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside `BEGIN` ... `ROLLBACK`: what it did is seen by itself only, then undone
    /// (a dry run of the real steps).
    public func rollingBack<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        defer { _ = try? execute("ROLLBACK") }
        return try body()
    }

    /// Starts `COPY ... FROM STDIN`, sends `chunks` and finishes it; returns the number of rows copied.
    public func copyIn(_ sql: String, chunks: [[UInt8]]) throws -> Int {
        let start = PQexec(handle, sql)
        defer { PQclear(start) }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try check(start)
            throw PostgresError(kind: .copy, message: "the server did not enter COPY IN mode for: \(sql)")
        }
        for chunk in chunks where !chunk.isEmpty {
            let sent = chunk.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
            }
            guard sent == 1 else { throw connectionError(context: "sending COPY data") }
        }
        guard PQputCopyEnd(handle, nil) == 1 else { throw connectionError(context: "ending COPY") }
        var copied = 0
        var failure: PostgresError?
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                copied = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if failure == nil {
                failure = PostgresError(result: result)
            }
            PQclear(result)
        }
        if let failure { throw failure }
        return copied
    }

    /// Runs `COPY (...) TO STDOUT` and hands each row's bytes (text format, with its newline) to
    /// `row`, valid during the call; returns the number of rows.
    @discardableResult
    public func copyOut(_ sql: String, row: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        let start = PQexec(handle, sql)
        defer { PQclear(start) }
        guard PQresultStatus(start) == PGRES_COPY_OUT else {
            _ = try check(start)
            throw PostgresError(kind: .copy, message: "the server did not enter COPY OUT mode for: \(sql)")
        }
        var rows = 0
        var failure: (any Error)?
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(handle, &buffer, 0)
            if length == -1 { break }
            guard length >= 0, let buffer else { throw connectionError(context: "receiving COPY data") }
            defer { PQfreemem(buffer) }
            if failure == nil {
                do {
                    try row(UnsafeRawBufferPointer(start: buffer, count: Int(length)))
                    rows += 1
                } catch {
                    failure = error
                }
            }
        }
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) != PGRES_COMMAND_OK, failure == nil { failure = PostgresError(result: result) }
            PQclear(result)
        }
        if let failure { throw failure }
        return rows
    }

    private func check(_ result: OpaquePointer?) throws -> QueryResult {
        guard let result else { throw connectionError(context: "running a statement") }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return QueryResult(result: result)
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR:
            throw PostgresError(result: result)
        default:
            throw PostgresError(
                kind: .protocolViolation,
                message: "unexpected result status \(String(cString: PQresStatus(PQresultStatus(result))))"
            )
        }
    }

    private func connectionError(context: String) -> PostgresError {
        let message = String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines()
        return PostgresError(kind: .connection, message: "\(context): \(message)")
    }

    private func withBoundParameters(
        _ parameters: [QueryParameter],
        _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> OpaquePointer?
    ) throws -> OpaquePointer? {
        let storage: [[UInt8]?] = parameters.map { parameter in
            switch parameter {
            case .text(let text): return Array(text.utf8) + [0]
            case .bytes(let bytes): return bytes
            case .null: return nil
            }
        }
        let lengths = storage.map { Int32($0?.count ?? 0) }
        let formats: [Int32] = parameters.map { if case .bytes = $0 { 1 } else { 0 } }
        let pointers = storage.map { bytes -> UnsafeMutablePointer<CChar>? in
            guard let bytes else { return nil }
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
            bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress {
                    UnsafeMutableRawPointer(pointer).copyMemory(from: base, byteCount: raw.count)
                }
            }
            return pointer
        }
        defer {
            for pointer in pointers { pointer?.deallocate() }
        }
        let constPointers = pointers.map { UnsafePointer($0) }
        return constPointers.withUnsafeBufferPointer { values in
            lengths.withUnsafeBufferPointer { lengthBuffer in
                formats.withUnsafeBufferPointer { formatBuffer in
                    body(values.baseAddress, lengthBuffer.baseAddress, formatBuffer.baseAddress)
                }
            }
        }
    }
}
