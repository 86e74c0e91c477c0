-- cdrstore schema 11: whether a hold is in force, from its columns rather than its row. On Citus a
-- worker's copy of the reference table cdr.hold has a row type of its own, which a function taking
-- a cdr.hold row does not accept; cdr.hold_active goes.

CREATE FUNCTION cdr.hold_in_force(released_at timestamptz, expires_at timestamptz, as_of timestamptz)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT released_at IS NULL AND (expires_at IS NULL OR expires_at > as_of)
$$;

-- As in 003_call_legs.sql, through cdr.hold_in_force.
CREATE OR REPLACE FUNCTION cdr.preserve_held_calls(from_time timestamptz, to_time timestamptz, as_of timestamptz)
    RETURNS TABLE (day date, hold_id bigint, calls bigint)
    LANGUAGE plpgsql
AS $function$
BEGIN
    -- Built with the range as literals so that the planner reads only the range's partitions.
    RETURN QUERY EXECUTE format($query$
    WITH active AS (
        SELECT h.* FROM cdr.hold AS h
        WHERE cdr.hold_in_force(h.released_at, h.expires_at, %3$L::timestamptz)
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
            call_type, disposition, equipment, account, feed, record_key, linked_key, record_hash, ingested_at,
            hold_ids)
        SELECT c.start_time, c.answer_time, c.end_time, c.duration_s, c.billable_s, c.source, c.destination,
               c.source_ip, c.call_type, c.disposition, c.equipment, c.account, c.feed, c.record_key,
               c.linked_key, c.record_hash, c.ingested_at, k.hold_ids
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

DROP FUNCTION cdr.hold_active(cdr.hold, timestamptz);
