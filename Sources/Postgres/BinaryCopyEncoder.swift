/// Builds the body of a `COPY ... FROM STDIN WITH (FORMAT binary)` stream, row by row.
///
/// - Important: every row must write exactly as many fields as `beginRow` announced, in the
///   table's column order and with the column's exact type; the server checks nothing else.
public struct BinaryCopyEncoder: Sendable {
    /// Microseconds between the Unix epoch and PostgreSQL's epoch, 2000-01-01 00:00:00 UTC.
    public static let postgresEpochOffsetMicroseconds: Int64 = 946_684_800_000_000

    /// The stream so far: the signature, the rows written, and after `finish()` the trailer.
    public private(set) var bytes: [UInt8]
    /// The number of rows begun.
    public private(set) var rowCount = 0

    /// Starts a stream with the binary COPY signature and an empty header extension.
    public init(reservingCapacity capacity: Int = 1 << 16) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(contentsOf: [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00])
        appendBigEndian(Int32(0))  // flags
        appendBigEndian(Int32(0))  // header extension length
    }

    /// Starts a row of `fieldCount` fields.
    public mutating func beginRow(fieldCount: Int16) {
        appendBigEndian(fieldCount)
        rowCount += 1
    }

    /// Writes SQL NULL.
    public mutating func writeNull() { appendBigEndian(Int32(-1)) }

    /// Writes an `int2`.
    public mutating func writeInt16(_ value: Int16) {
        appendBigEndian(Int32(2))
        appendBigEndian(value)
    }

    /// Writes an `int4`.
    public mutating func writeInt32(_ value: Int32) {
        appendBigEndian(Int32(4))
        appendBigEndian(value)
    }

    /// Writes an `int8`.
    public mutating func writeInt64(_ value: Int64) {
        appendBigEndian(Int32(8))
        appendBigEndian(value)
    }

    /// Writes a `bool`.
    public mutating func writeBool(_ value: Bool) {
        appendBigEndian(Int32(1))
        bytes.append(value ? 1 : 0)
    }

    /// Writes `text` (or `varchar`) from a string's UTF-8 bytes.
    public mutating func writeText(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            appendBigEndian(Int32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Writes `bytea`, or `text` from bytes already known to be valid UTF-8.
    public mutating func writeBytes<C: Collection>(_ value: C) where C.Element == UInt8 {
        appendBigEndian(Int32(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes a `timestamptz` given in microseconds since the Unix epoch.
    public mutating func writeTimestamp(unixMicroseconds: Int64) {
        appendBigEndian(Int32(8))
        appendBigEndian(unixMicroseconds - Self.postgresEpochOffsetMicroseconds)
    }

    /// Writes an `inet` host address from its 4 (IPv4) or 16 (IPv6) network-order bytes.
    public mutating func writeInet(address: [UInt8]) {
        precondition(address.count == 4 || address.count == 16, "an inet address has 4 or 16 bytes")
        let isIPv4 = address.count == 4
        appendBigEndian(Int32(4 + address.count))
        bytes.append(isIPv4 ? 2 : 3)  // PGSQL_AF_INET, PGSQL_AF_INET6
        bytes.append(isIPv4 ? 32 : 128)  // prefix bits: a host address
        bytes.append(0)  // not cidr
        bytes.append(UInt8(address.count))
        bytes.append(contentsOf: address)
    }

    /// Appends the end-of-data marker and returns the whole stream.
    public consuming func finish() -> [UInt8] {
        appendBigEndian(Int16(-1))
        return bytes
    }

    private mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
