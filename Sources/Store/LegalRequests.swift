import Handover
import Postgres

/// Legal requests: registration, four-eyes approval, closing and quick-freeze preservation. Every
/// change goes through a `lawful.*` function, which checks it and writes the audit entry.
public struct LegalRequests {
    /// A request as registered, ETSI TS 102 657's RequestID being (country, authority, number).
    public struct Draft: Sendable, Equatable {
        /// ISO 3166 country code, two capital letters.
        public var countryCode: String
        /// The requesting authority.
        public var authority: String
        /// The authority's number of the request.
        public var number: String
        /// The law the request rests on.
        public var legalBasis: String
        /// Who decided (court, prosecutor, ...).
        public var decisionBy: String
        /// The decision's reference.
        public var decisionReference: String
        /// The identifiers the decision names (normalised); empty when it names none.
        public var identifiers: [LookupIdentifier]
        /// The authorised window of call start times, µs since the epoch, `to` exclusive.
        public var authorisedFrom: Int64
        /// The end of the authorised window (exclusive).
        public var authorisedTo: Int64
        /// When the answer is due, if said.
        public var deadline: Int64?

        /// Creates a draft.
        public init(
            countryCode: String, authority: String, number: String, legalBasis: String, decisionBy: String,
            decisionReference: String, identifiers: [LookupIdentifier], authorisedFrom: Int64, authorisedTo: Int64,
            deadline: Int64?
        ) {
            self.countryCode = countryCode
            self.authority = authority
            self.number = number
            self.legalBasis = legalBasis
            self.decisionBy = decisionBy
            self.decisionReference = decisionReference
            self.identifiers = identifiers
            self.authorisedFrom = authorisedFrom
            self.authorisedTo = authorisedTo
            self.deadline = deadline
        }
    }

    /// The columns `list` and `show` print, in order.
    public static let columns = [
        "id", "country", "authority", "number", "legal_basis", "decision_by", "decision_ref", "identifiers",
        "authorised_from", "authorised_to", "deadline", "created_by", "created_at", "approved_by", "approved_at",
        "closed_by", "closed_at", "hold_id", "preserved_until", "extended", "state",
    ]

    private let connection: Connection

    /// Creates a helper on a connection.
    public init(connection: Connection) { self.connection = connection }

    /// Registers a request, and with `preserveUntil` preserves its calls, in one transaction;
    /// returns its id and false when (country, authority, number) existed already (then nothing changes).
    public func create(_ draft: Draft, preserveUntil: Int64? = nil) throws -> (id: Int64, created: Bool) {
        guard draft.authorisedFrom < draft.authorisedTo else {
            throw StoreError("--authorised-from must be before --authorised-to")
        }
        if preserveUntil != nil, draft.identifiers.isEmpty {
            throw StoreError("preserving calls needs the identifiers the decision names (--identifier)")
        }
        return try connection.transaction {
            let registered = try register(draft)
            if let preserveUntil, registered.created { _ = try preserve(registered.id, until: preserveUntil) }
            return registered
        }
    }

    private func register(_ draft: Draft) throws -> (id: Int64, created: Bool) {
        let row = try connection.execute(
            """
            SELECT id, created FROM lawful.create_request($1, $2, $3, $4, $5, $6, $7::text[],
                \(SQLTime.timestamp("$8")), \(SQLTime.timestamp("$9")), \(SQLTime.timestamp("$10")))
            """,
            [
                .text(draft.countryCode), .text(draft.authority), .text(draft.number), .text(draft.legalBasis),
                .text(draft.decisionBy), .text(draft.decisionReference),
                .text(SQLArray.literal(draft.identifiers.map(\.text))), .text(String(draft.authorisedFrom)),
                .text(String(draft.authorisedTo)), .optional(draft.deadline.map(String.init)),
            ]
        ).rows[0]
        return (Int64(row[0]!)!, row[1] == "t")
    }

    /// Approves request `id` as the current login (not its creator).
    public func approve(_ id: Int64) throws {
        try connection.execute("SELECT lawful.approve_request($1)", [.text(String(id))])
    }

    /// Closes request `id`, releasing its preservation hold.
    public func close(_ id: Int64) throws {
        try connection.execute("SELECT lawful.close_request($1)", [.text(String(id))])
    }

    /// Preserves the request's calls until `until` (µs), or extends the preservation once; returns the hold id.
    public func preserve(_ id: Int64, until: Int64) throws -> Int64 {
        Int64(
            try connection.execute(
                "SELECT lawful.preserve($1, \(SQLTime.timestamp("$2")))", [.text(String(id)), .text(String(until))]
            ).scalar!)!
    }

    /// Request `id`'s identity for exports (nil when there is no such request) and the login of
    /// this session, in one statement.
    public func exportIdentity(id: Int64) throws -> (request: RequestIdentity?, login: String) {
        let row = try connection.execute(
            """
            SELECT session_user, r.country_code, r.authority, r.request_number
            FROM (VALUES (1)) AS one LEFT JOIN lawful.request AS r ON r.id = $1
            """, [.text(String(id))]
        ).rows[0]
        let request = row[1].map {
            RequestIdentity(countryCode: $0, authorisedOrganisationID: row[2]!, requestNumber: row[3]!)
        }
        return (request, row[0]!)
    }

    /// Every request (or the one with `id`), newest first, in the order of `columns`.
    public func list(id: Int64? = nil) throws -> QueryResult {
        let iso = SQLTime.iso
        return try connection.execute(
            """
            SELECT id, country_code, authority, request_number, legal_basis, decision_by, decision_ref,
                   array_to_string(identifiers, ' '), \(iso("authorised_from")), \(iso("authorised_to")),
                   \(iso("deadline")), created_by, \(iso("created_at")), approved_by, \(iso("approved_at")),
                   closed_by, \(iso("closed_at")), hold_id, \(iso("preserved_until")), hold_extended,
                   CASE WHEN closed_at IS NOT NULL THEN 'closed' WHEN approved_at IS NOT NULL THEN 'approved'
                        ELSE 'awaiting approval' END
            FROM lawful.request WHERE $1::bigint IS NULL OR id = $1 ORDER BY id DESC
            """, [.optional(id.map(String.init))])
    }
}
