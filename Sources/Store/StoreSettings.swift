import Postgres

/// The store-wide settings row (`cdr.settings`).
public struct StoreSettings: Sendable, Equatable {
    /// Months after which un-held calls must be gone.
    public var retentionCeilingMonths: Int
    /// Months during which nothing may be removed.
    public var retentionFloorMonths: Int

    /// Creates settings.
    public init(retentionCeilingMonths: Int, retentionFloorMonths: Int) {
        self.retentionCeilingMonths = retentionCeilingMonths
        self.retentionFloorMonths = retentionFloorMonths
    }

    /// Reads the settings row.
    public static func load(from connection: Connection) throws -> StoreSettings {
        let result = try connection.execute(
            "SELECT retention_ceiling_months, retention_floor_months FROM cdr.settings")
        guard let row = result.rows.first, let ceiling = row[0].flatMap({ Int($0) }),
            let floor = row[1].flatMap({ Int($0) })
        else { throw StoreError.schemaMissing }
        return StoreSettings(retentionCeilingMonths: ceiling, retentionFloorMonths: floor)
    }
}
