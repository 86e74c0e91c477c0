import Billing
import CDRModel
import Feeds
import Foundation
import Postgres

/// The tariffs in `billing.tariff_rate`: imported from tariff files, listed, and loaded as rating plans.
public struct Tariffs {
    private let connection: Connection

    /// Creates a helper on a connection.
    public init(connection: Connection) { self.connection = connection }

    /// Imports the tariff file at `path` in one transaction: every rate, or (on any problem) none.
    /// Returns the number of rates.
    public func importFile(path: String) throws -> Int {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError("cannot read the tariff file \(path)")
        }
        let bytes = [UInt8](data)
        let rates: [TariffRate]
        do {
            rates = try TariffFile.parse(bytes)
        } catch {
            let problems = error.problems.prefix(20).map(\.description).joined(separator: "; ")
            let more = error.problems.count > 20 ? " (and \(error.problems.count - 20) more)" : ""
            throw StoreError("tariff file \(path) not imported: \(problems)\(more)")
        }
        return try connection.transaction {
            let importID = try connection.execute(
                "INSERT INTO billing.tariff_import (file_name, file_sha256, rates) VALUES ($1, $2, $3) RETURNING id",
                [.text(path), .text(SHA256Digest.hex(SHA256Digest.of(bytes))), .text(String(rates.count))]
            ).scalar!
            do {
                return try connection.copyIn(
                    """
                    COPY billing.tariff_rate (plan, prefix, valid_from, description, connect_fee, rate_per_minute,
                                              first_increment_s, increment_s, currency, import_id) FROM STDIN
                    """, chunks: [Array(rates.map { Self.copyLine($0, importID: importID) }.joined().utf8)])
            } catch let error as PostgresError where error.isUniqueViolation {
                throw StoreError(
                    "tariff file \(path) not imported: it repeats a rate already imported (\(error.detail ?? error.message)); "
                        + "a new price is a new version with a later valid_from")
            }
        }
    }

    /// The rates, optionally of one plan, ordered by plan, prefix and validity.
    public func list(plan: String?) throws -> QueryResult {
        try connection.execute(
            """
            SELECT plan, prefix, \(SQLTime.iso("valid_from")) AS valid_from, description, connect_fee, rate_per_minute,
                   first_increment_s, increment_s, currency
            FROM billing.tariff_rate WHERE $1::text IS NULL OR plan = $1 ORDER BY plan, prefix, valid_from
            """, [.optional(plan)])
    }

    /// Every plan, ready for rating.
    public func plans() throws -> [String: RatingPlan] {
        let rows = try connection.execute(
            """
            SELECT plan, prefix, \(SQLTime.micros("valid_from")), description, connect_fee, rate_per_minute,
                   first_increment_s, increment_s, currency
            FROM billing.tariff_rate
            """
        ).rows
        let rates = rows.map { row in
            TariffRate(
                plan: row[0]!, prefix: row[1]!, description: row[3]!, connectFee: Int64(row[4]!)!,
                ratePerMinute: Int64(row[5]!)!, firstIncrementSeconds: Int64(row[6]!)!,
                incrementSeconds: Int64(row[7]!)!, validFrom: Int64(row[2]!)!, currency: row[8])
        }
        return Dictionary(grouping: rates, by: \.plan).mapValues { RatingPlan(name: $0[0].plan, rates: $0) }
    }

    private static func copyLine(_ rate: TariffRate, importID: String) -> String {
        CopyText.line([
            rate.plan, rate.prefix, CanonicalJSON.timestamp(rate.validFrom), rate.description, String(rate.connectFee),
            String(rate.ratePerMinute), String(rate.firstIncrementSeconds), String(rate.incrementSeconds),
            rate.currency, importID,
        ])
    }
}
