/// One SQL file of `sql/`, embedded in the binary so that `cdrstore migrate` needs no source tree.
public struct Migration: Sendable {
    /// The number the file name starts with; migrations run in this order.
    public let version: Int
    /// The file name, e.g. `001_schema.sql`.
    public let name: String
    /// The SQL text.
    public let sql: String
}

/// The migrations in `sql/` (files `NNN_name.sql`), in the order `cdrstore migrate` applies them.
///
/// - Important: a new `sql/NNN_name.sql` must be added here and to `Package.swift`'s
///   resources; a test checks that this list and the folder agree.
public enum SchemaFiles {
    /// Every migration, oldest first.
    public static let migrations: [Migration] = [
        Migration(
            version: 1, name: "001_schema.sql", sql: String(decoding: PackageResources._01_schema_sql, as: UTF8.self)),
        Migration(
            version: 2, name: "002_retention.sql",
            sql: String(decoding: PackageResources._02_retention_sql, as: UTF8.self)),
        Migration(
            version: 3, name: "003_call_legs.sql",
            sql: String(decoding: PackageResources._03_call_legs_sql, as: UTF8.self)),
        Migration(
            version: 4, name: "004_billing.sql", sql: String(decoding: PackageResources._04_billing_sql, as: UTF8.self)),
        Migration(
            version: 5, name: "005_lawful_access.sql",
            sql: String(decoding: PackageResources._05_lawful_access_sql, as: UTF8.self)),
        Migration(
            version: 6, name: "006_commit_before_disclose.sql",
            sql: String(decoding: PackageResources._06_commit_before_disclose_sql, as: UTF8.self)),
        Migration(
            version: 7, name: "007_identifier_days.sql",
            sql: String(decoding: PackageResources._07_identifier_days_sql, as: UTF8.self)),
        Migration(
            version: 8, name: "008_held_results.sql",
            sql: String(decoding: PackageResources._08_held_results_sql, as: UTF8.self)),
        Migration(
            version: 9, name: "009_indexed_partitions.sql",
            sql: String(decoding: PackageResources._09_indexed_partitions_sql, as: UTF8.self)),
        Migration(
            version: 10, name: "010_hold_covers.sql",
            sql: String(decoding: PackageResources._10_hold_covers_sql, as: UTF8.self)),
        Migration(
            version: 11, name: "011_hold_in_force.sql",
            sql: String(decoding: PackageResources._11_hold_in_force_sql, as: UTF8.self)),
    ]

    /// `roles.sql`: the group roles and their grants, which `cdrstore roles setup` applies (idempotent).
    public static let roles = String(decoding: PackageResources.roles_sql, as: UTF8.self)

    /// `citus.sql`: the schema's distributed form on a Citus coordinator, which `cdrstore migrate
    /// --citus` applies after the migrations (idempotent).
    public static let citus = String(decoding: PackageResources.citus_sql, as: UTF8.self)
}
