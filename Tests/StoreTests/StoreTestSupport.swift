import CDRModel
import Feeds
import Foundation
import Postgres
import Store
import TestSupport

/// 2026-11-01T00:00:00Z, the "now" of these tests, in microseconds.
let testNow: Int64 = Int64(CivilTime(year: 2026, month: 11, day: 1).secondsAsIfUTC) * 1_000_000

/// Stockholm time, Swedish numbers: the feed settings of these tests.
let stockholmFeed = try! FeedSettings(format: "asterisk-csv", timeZone: "Europe/Stockholm", countryCode: "46")

/// A migrated database of its own for one suite.
struct StoreFixture {
    let conninfo: String
    let connection: Connection
    let folder: TemporaryFolder

    init() throws {
        conninfo = try TestDatabase.createMigrated(prefix: "store")
        connection = try Connection(conninfo)
        folder = try TemporaryFolder()
    }

    /// Ingests `path` for `feed` as this fixture's login, or the login of `loginConninfo`.
    @discardableResult
    func ingest(
        _ path: String, feed: String = "pbx1", batch: Int = 50_000, now: Int64 = testNow,
        as loginConninfo: String? = nil
    ) throws -> Ingestor.Summary {
        let conninfo = loginConninfo ?? conninfo
        let ingestor = try Ingestor(
            connect: { try Connection(conninfo) }, feed: feed, settings: stockholmFeed, now: now, batchRecords: batch)
        return try ingestor.ingest(path: path, clock: { 0 })
    }

    /// Has a trigger (`function` on `cdr.call`, as a DBA might add) refuse every call for which the
    /// SQL `condition` on `NEW` holds with `message`: a failure that is not about one record's
    /// values (SQLSTATE P0001), so that the whole transaction fails.
    func refuseCalls(by function: String, when condition: String, message: String) throws {
        try connection.executeScript(
            """
            CREATE FUNCTION public.\(function)() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF \(condition) THEN RAISE EXCEPTION '\(message)'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER \(function) BEFORE INSERT ON cdr.call FOR EACH ROW EXECUTE FUNCTION public.\(function)();
            """)
    }

    /// Every stored record key of a feed, sorted.
    func storedKeys(feed: String = "pbx1") throws -> [String] {
        try connection.execute("SELECT record_key FROM cdr.call WHERE feed = $1 ORDER BY record_key", [.text(feed)])
            .rows.map { $0[0] ?? "NULL" }
    }

    /// The number of rows in `cdr.call`.
    func callCount() throws -> Int {
        Int(try connection.execute("SELECT count(*) FROM cdr.call").scalar!)!
    }

    /// `count` distinct Asterisk lines, one a minute from 2026-10-11 08:00 Stockholm time, keys `k<n>`.
    static func lines(_ range: Range<Int>) -> String {
        range.map { index in
            let minute = index % 60
            let hour = 8 + index / 60 % 12
            let day = 11 + index / 720
            let stamp = String(format: "2026-10-%02d %02d:%02d:00", day, hour, minute)
            let end = String(format: "2026-10-%02d %02d:%02d:30", day, hour, minute)
            return AsteriskLine.make(
                start: stamp, answer: stamp, end: end, duration: "30", billsec: "30", uniqueID: "k\(index)")
        }.joined()
    }

    /// The keys `lines(range)` produces, sorted as the database sorts them (C collation).
    static func keys(_ ranges: Range<Int>...) -> [String] {
        ranges.flatMap { $0.map { "k\($0)" } }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }
}
