-- cdrstore schema 10: whether a hold covers a call, as an immutable function of the hold's columns
-- and the call's values, so that a statement can compute each row's covering holds inline. The
-- retention run's re-check of preserved calls does: on Citus, an UPDATE of a distributed table may
-- not call a STABLE function (cdr.holds_covering reads cdr.hold) with the row's columns, and a
-- worker's copy of cdr.hold has a row type of its own, so the hold is passed column by column.

CREATE FUNCTION cdr.hold_covers(
    hold_released_at timestamptz, hold_expires_at timestamptz, hold_window_from timestamptz,
    hold_window_to timestamptz, hold_identifiers text[], hold_addresses inet[], hold_account text,
    start_time timestamptz, source text, destination text, source_ip inet, account text, as_of timestamptz
) RETURNS boolean
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT hold_released_at IS NULL AND (hold_expires_at IS NULL OR hold_expires_at > as_of)
       AND start_time >= hold_window_from AND start_time < hold_window_to
       AND (source = ANY (hold_identifiers) OR destination = ANY (hold_identifiers)
            OR source_ip = ANY (hold_addresses) OR account = hold_account)
$$;

-- As in 002_retention.sql, through cdr.hold_covers.
CREATE OR REPLACE FUNCTION cdr.holds_covering(
    start_time timestamptz, source text, destination text, source_ip inet, account text, as_of timestamptz
) RETURNS bigint[]
    LANGUAGE sql STABLE
AS $$
    SELECT ARRAY(
        SELECT h.id FROM cdr.hold AS h
        WHERE cdr.hold_covers(h.released_at, h.expires_at, h.window_from, h.window_to, h.identifiers, h.addresses,
                              h.account, holds_covering.start_time, holds_covering.source,
                              holds_covering.destination, holds_covering.source_ip, holds_covering.account,
                              holds_covering.as_of)
        ORDER BY h.id)
$$;
