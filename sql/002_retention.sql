-- cdrstore schema 2: retention. Holds, the preserved store, anonymous statistics, the retention
-- log and the settings history. See README "Retention" for the rules these objects serve.

-- The floor may go below 1 month and the ceiling above 120 only with an override, which
-- cdrstore checks and records in cdr.settings_log; the database keeps the hard limits.
ALTER TABLE cdr.settings DROP CONSTRAINT settings_floor_at_least_one_month;
ALTER TABLE cdr.settings ADD CONSTRAINT settings_floor_not_negative CHECK (retention_floor_months >= 0);
ALTER TABLE cdr.settings ADD CONSTRAINT settings_ceiling_at_least_one_month CHECK (retention_ceiling_months >= 1);
-- The zone whose calendar "N months before" is counted in (month ends, DST).
ALTER TABLE cdr.settings ADD COLUMN retention_zone text NOT NULL DEFAULT 'UTC';

-- Every change of the retention settings: who, when, from what to what, with or without override.
CREATE TABLE cdr.settings_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    changed_at     timestamptz NOT NULL DEFAULT now(),
    changed_by     text NOT NULL DEFAULT session_user,
    ceiling_before integer NOT NULL,
    floor_before   integer NOT NULL,
    ceiling_after  integer NOT NULL,
    floor_after    integer NOT NULL,
    zone_before    text NOT NULL,
    zone_after     text NOT NULL,
    override       boolean NOT NULL
);

-- The instant before which un-held calls must be gone, for "now" = as_of.
CREATE FUNCTION cdr.retention_cutoff(as_of timestamptz) RETURNS timestamptz
    LANGUAGE sql STABLE
    RETURN (SELECT (as_of AT TIME ZONE s.retention_zone - make_interval(months => s.retention_ceiling_months))
                   AT TIME ZONE s.retention_zone
            FROM cdr.settings AS s);

-- The instant from which nothing may be removed, for "now" = as_of.
CREATE FUNCTION cdr.retention_floor(as_of timestamptz) RETURNS timestamptz
    LANGUAGE sql STABLE
    RETURN (SELECT (as_of AT TIME ZONE s.retention_zone - make_interval(months => s.retention_floor_months))
                   AT TIME ZONE s.retention_zone
            FROM cdr.settings AS s);

-- A legal or billing hold: calls of these identifiers (as source, destination or source IP) or of
-- this account, starting within [window_from, window_to), outlive the ceiling while it is active.
CREATE TABLE cdr.hold (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           text NOT NULL CHECK (kind IN ('legal', 'billing')),
    reason         text NOT NULL CHECK (reason <> ''),
    identifiers    text[] COLLATE "C" NOT NULL DEFAULT '{}',   -- normalised like ingest
    addresses      inet[] NOT NULL DEFAULT '{}',               -- source IPs
    account        text COLLATE "C",
    window_from    timestamptz NOT NULL,
    window_to      timestamptz NOT NULL,
    expires_at     timestamptz,
    placed_by      text NOT NULL DEFAULT session_user,
    placed_at      timestamptz NOT NULL DEFAULT now(),
    released_at    timestamptz,
    released_by    text,
    release_reason text,
    CONSTRAINT hold_window_ordered CHECK (window_from < window_to),
    CONSTRAINT hold_names_something
        CHECK (cardinality(identifiers) > 0 OR cardinality(addresses) > 0 OR account IS NOT NULL),
    CONSTRAINT hold_release_complete CHECK ((released_at IS NULL) = (released_by IS NULL))
);

-- Whether the hold is in force at `as_of`: never released (a release takes effect at once,
-- whatever moment a run stands for) and not expired at `as_of`.
CREATE FUNCTION cdr.hold_active(h cdr.hold, as_of timestamptz) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    RETURN h.released_at IS NULL AND (h.expires_at IS NULL OR h.expires_at > as_of);

-- The ids of the holds in force at `as_of` that cover a call with these values, ascending.
-- (Arguments are qualified with the function's name: cdr.hold has a column called account.)
CREATE FUNCTION cdr.holds_covering(
    start_time timestamptz, source text, destination text, source_ip inet, account text, as_of timestamptz
) RETURNS bigint[]
    LANGUAGE sql STABLE
    RETURN ARRAY(
        SELECT h.id FROM cdr.hold AS h
        WHERE cdr.hold_active(h, holds_covering.as_of)
          AND holds_covering.start_time >= h.window_from AND holds_covering.start_time < h.window_to
          AND (holds_covering.source = ANY (h.identifiers) OR holds_covering.destination = ANY (h.identifiers)
               OR holds_covering.source_ip = ANY (h.addresses) OR holds_covering.account = h.account)
        ORDER BY h.id);

-- Calls removed from cdr.call that a hold keeps: the same columns, and the holds that keep them.
-- Lookups search this table as well as cdr.call.
CREATE TABLE cdr.preserved_call (
    LIKE cdr.call INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    hold_ids     bigint[] NOT NULL,
    preserved_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (feed, record_hash, start_time)
);
CREATE INDEX preserved_call_source ON cdr.preserved_call (source, start_time);
CREATE INDEX preserved_call_destination ON cdr.preserved_call (destination, start_time);
CREATE INDEX preserved_call_source_ip ON cdr.preserved_call (source_ip, start_time) WHERE source_ip IS NOT NULL;
CREATE INDEX preserved_call_start ON cdr.preserved_call (start_time);

-- Copies the calls starting in [from_time, to_time) that an active hold covers into
-- cdr.preserved_call (again, if already there, with the current hold ids) and returns how many
-- each hold keeps on each UTC day. The matching uses the lookup indexes: one probe per identifier.
CREATE FUNCTION cdr.preserve_held_calls(from_time timestamptz, to_time timestamptz, as_of timestamptz)
    RETURNS TABLE (day date, hold_id bigint, calls bigint)
    LANGUAGE plpgsql
AS $function$
BEGIN
    -- Built with the range as literals so that the planner reads only the range's partitions.
    RETURN QUERY EXECUTE format($query$
    WITH active AS (
        SELECT h.* FROM cdr.hold AS h
        WHERE cdr.hold_active(h, %3$L::timestamptz)
          AND h.window_from < %2$L::timestamptz AND h.window_to > %1$L::timestamptz
    ),
    matches AS (
        SELECT c.feed, c.record_hash, c.start_time, h.id
        FROM active AS h CROSS JOIN LATERAL unnest(h.identifiers) AS i (identifier)
        JOIN cdr.call AS c ON c.source = i.identifier
        WHERE c.start_time >= %1$L::timestamptz AND c.start_time < %2$L::timestamptz
          AND c.start_time >= h.window_from AND c.start_time < h.window_to
        UNION
        SELECT c.feed, c.record_hash, c.start_time, h.id
        FROM active AS h CROSS JOIN LATERAL unnest(h.identifiers) AS i (identifier)
        JOIN cdr.call AS c ON c.destination = i.identifier
        WHERE c.start_time >= %1$L::timestamptz AND c.start_time < %2$L::timestamptz
          AND c.start_time >= h.window_from AND c.start_time < h.window_to
        UNION
        SELECT c.feed, c.record_hash, c.start_time, h.id
        FROM active AS h CROSS JOIN LATERAL unnest(h.addresses) AS a (address)
        JOIN cdr.call AS c ON c.source_ip = a.address
        WHERE c.start_time >= %1$L::timestamptz AND c.start_time < %2$L::timestamptz
          AND c.start_time >= h.window_from AND c.start_time < h.window_to
        UNION
        SELECT c.feed, c.record_hash, c.start_time, h.id
        FROM cdr.call AS c JOIN active AS h ON c.account = h.account
        WHERE c.start_time >= %1$L::timestamptz AND c.start_time < %2$L::timestamptz
          AND c.start_time >= h.window_from AND c.start_time < h.window_to
    ),
    kept AS (
        SELECT feed, record_hash, start_time, array_agg(id ORDER BY id) AS hold_ids
        FROM matches GROUP BY feed, record_hash, start_time
    ),
    copied AS (
        INSERT INTO cdr.preserved_call (
            start_time, answer_time, end_time, duration_s, billable_s, source, destination, source_ip,
            call_type, disposition, equipment, account, feed, record_key, record_hash, ingested_at, hold_ids)
        SELECT c.start_time, c.answer_time, c.end_time, c.duration_s, c.billable_s, c.source, c.destination,
               c.source_ip, c.call_type, c.disposition, c.equipment, c.account, c.feed, c.record_key,
               c.record_hash, c.ingested_at, k.hold_ids
        FROM kept AS k
        JOIN cdr.call AS c USING (feed, record_hash, start_time)
        WHERE c.start_time >= %1$L::timestamptz AND c.start_time < %2$L::timestamptz
        ON CONFLICT (feed, record_hash, start_time) DO UPDATE SET hold_ids = EXCLUDED.hold_ids
        RETURNING 1
    )
    SELECT (start_time AT TIME ZONE 'UTC')::date, id, count(*) FROM matches GROUP BY 1, 2 ORDER BY 1, 2
    $query$, from_time, to_time, as_of);
END
$function$;

-- The country calling code of an E.164 number ('+46'), by ITU's code lengths; 'unknown' for
-- anything else. Plain string functions (no regex, not STRICT) so that PostgreSQL inlines it.
CREATE FUNCTION cdr.calling_code(party text) RETURNS text
    LANGUAGE sql IMMUTABLE
    RETURN CASE
        WHEN left(party, 1) IS DISTINCT FROM '+' OR length(party) NOT BETWEEN 8 AND 16
             OR substr(party, 2, 1) NOT BETWEEN '1' AND '9' THEN 'unknown'
        WHEN substr(party, 2, 1) IN ('1', '7') THEN left(party, 2)
        WHEN substr(party, 2, 2) IN ('20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44',
                                     '45', '46', '47', '48', '49', '51', '52', '53', '54', '55', '56', '57', '58',
                                     '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86', '90', '91',
                                     '92', '93', '94', '95', '98') THEN left(party, 3)
        ELSE left(party, 4)
    END;

CREATE SCHEMA stats;

-- Anonymous traffic statistics per UTC day: no identifier, account or address. A cell of fewer
-- than 5 calls is merged into destination 'other' (and, if still small, into the day's 'other' row).
CREATE TABLE stats.daily_traffic (
    day              date NOT NULL,
    call_type        text NOT NULL,
    disposition      text NOT NULL,
    direction        text NOT NULL,     -- 'unknown' until feeds say which way a call went
    destination      text NOT NULL,     -- calling code ('+46'), 'unknown' or 'other'
    calls            bigint NOT NULL CHECK (calls > 0),
    total_seconds    bigint NOT NULL,
    billable_seconds bigint NOT NULL,
    PRIMARY KEY (day, call_type, disposition, direction, destination)
);

-- Exact call counts per UTC day and cell, kept as calls arrive (a statement trigger adds one row
-- per cell and statement, so concurrent ingests never wait for each other). They hold no
-- identifier either; the roll-up reads them instead of re-reading every call of a day.
CREATE TABLE stats.call_cell (
    day              date NOT NULL,
    call_type        text NOT NULL,
    disposition      text NOT NULL,
    destination      text NOT NULL,
    calls            bigint NOT NULL,
    total_seconds    bigint NOT NULL,
    billable_seconds bigint NOT NULL
);
CREATE INDEX call_cell_day ON stats.call_cell (day);

CREATE FUNCTION stats.count_new_calls() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO stats.call_cell (day, call_type, disposition, destination, calls, total_seconds, billable_seconds)
    SELECT (start_time AT TIME ZONE 'UTC')::date, call_type, disposition, cdr.calling_code(destination), count(*),
           sum(duration_s), sum(billable_s)
    FROM new_calls GROUP BY 1, 2, 3, 4;
    RETURN NULL;
END
$$;

CREATE TRIGGER call_counted AFTER INSERT ON cdr.call
    REFERENCING NEW TABLE AS new_calls FOR EACH STATEMENT EXECUTE FUNCTION stats.count_new_calls();

-- Days already rolled up: a day is rolled up once, from all its calls, the first time any of them goes.
CREATE TABLE stats.rolled_up_day (
    day          date PRIMARY KEY,
    calls        bigint NOT NULL,
    rolled_up_at timestamptz NOT NULL DEFAULT now()
);

-- Rolls up each UTC day from first_day to last_day that is not rolled up yet, from its cells;
-- returns the statistics rows written per day (0 for a day without calls).
CREATE FUNCTION stats.roll_up_days(first_day date, last_day date)
    RETURNS TABLE (day date, rows_written bigint)
    LANGUAGE sql
AS $$
    WITH pending AS (
        SELECT d::date AS day FROM generate_series(first_day, last_day, interval '1 day') AS d
        WHERE NOT EXISTS (SELECT 1 FROM stats.rolled_up_day AS r WHERE r.day = d::date)
    ),
    cells AS (
        SELECT c.day, c.call_type, c.disposition, 'unknown'::text AS direction, c.destination, sum(c.calls) AS calls,
               sum(c.total_seconds) AS total_seconds, sum(c.billable_seconds) AS billable_seconds
        FROM stats.call_cell AS c JOIN pending AS p USING (day)
        GROUP BY 1, 2, 3, 4, 5
    ),
    merged AS (
        SELECT day, call_type, disposition, direction, CASE WHEN calls < 5 THEN 'other' ELSE destination END AS destination,
               sum(calls) AS calls, sum(total_seconds) AS total_seconds, sum(billable_seconds) AS billable_seconds
        FROM cells GROUP BY 1, 2, 3, 4, 5
    ),
    safe AS (
        SELECT day, CASE WHEN calls < 5 THEN 'other' ELSE call_type END AS call_type,
               CASE WHEN calls < 5 THEN 'other' ELSE disposition END AS disposition,
               CASE WHEN calls < 5 THEN 'other' ELSE direction END AS direction,
               CASE WHEN calls < 5 THEN 'other' ELSE destination END AS destination,
               calls, total_seconds, billable_seconds
        FROM merged
    ),
    written AS (
        INSERT INTO stats.daily_traffic (day, call_type, disposition, direction, destination, calls, total_seconds,
                                         billable_seconds)
        SELECT day, call_type, disposition, direction, destination, sum(calls), sum(total_seconds), sum(billable_seconds)
        FROM safe GROUP BY 1, 2, 3, 4, 5
        RETURNING day, calls
    ),
    marked AS (
        INSERT INTO stats.rolled_up_day (day, calls)
        SELECT p.day, coalesce((SELECT sum(w.calls) FROM written AS w WHERE w.day = p.day), 0) FROM pending AS p
        RETURNING day
    ),
    consumed AS (
        DELETE FROM stats.call_cell AS c USING pending AS p WHERE c.day = p.day
    )
    SELECT m.day, (SELECT count(*) FROM written AS w WHERE w.day = m.day) FROM marked AS m ORDER BY 1
$$;

-- What each retention run did, per partition dropped or trimmed and for the preserved store.
CREATE TABLE cdr.retention_log (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_started_at    timestamptz NOT NULL,
    as_of             timestamptz NOT NULL,
    cutoff            timestamptz NOT NULL,
    day               date,                  -- NULL for the preserved store's purge
    action            text NOT NULL CHECK (action IN ('dropped', 'trimmed', 'purged')),
    rows_removed      bigint NOT NULL,
    rows_preserved    bigint NOT NULL,
    preserved_by_hold jsonb NOT NULL DEFAULT '{}',
    stats_rows        integer NOT NULL DEFAULT 0,
    run_by            text NOT NULL DEFAULT session_user,
    logged_at         timestamptz NOT NULL DEFAULT now()
);
