-- cdrstore schema 8: a lookup's result is computed once. Step 1 (lawful.lookup,
-- lawful.subject_export) keeps the calls it audited in lawful.held_result, beside the entry, in
-- the same transaction; step 2 (lawful.disclose) hands out those calls once that transaction has
-- committed, instead of searching the partitions a second time (half of a lookup's time: the
-- planning of one branch per day, Benchmarks/lookup-latency.sh).
--
-- What step 2 hands out is then exactly what the entry's digest records. It refuses when calls
-- may have been removed since step 1 read them: cdr.removals counts every transaction that
-- removes or changes calls (a retention run, a DELETE, UPDATE or TRUNCATE of cdr.call or
-- cdr.preserved_call, whoever runs it), and step 1 notes the count before it reads. A late call
-- stored between the steps is not part of what was audited and is not handed out; step 2 no
-- longer refuses because of one.
--
-- It also records in which columns an identifier occurs on each indexed day, so that a lookup's
-- branch for a day tests only those columns (`source = $3` rather than
-- `source = $3 OR destination = $3 OR source_ip = $4`), which the planner plans with one index
-- instead of three and the executor probes once (10M calls over 730 days: 100 identifiers in
-- 2.6 s instead of 3.3 s). `roles` is a bit set: 1 the source, 2 the destination, 4 the source IP.
-- Pairs indexed before this schema carry 7 (all three) until their day is indexed again, which is
-- exact, only not narrowed; an unindexed day is searched in all three columns, as before.

-- How many transactions have removed or changed stored calls; bumped in each such transaction,
-- so a reader sees the bump exactly when it sees the removal.
CREATE TABLE cdr.removals (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    count     bigint NOT NULL DEFAULT 0
);
INSERT INTO cdr.removals DEFAULT VALUES;

CREATE FUNCTION cdr.note_removal() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE cdr.removals SET count = count + 1;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION cdr.note_removal() FROM PUBLIC;

CREATE TRIGGER call_removals_noted AFTER UPDATE OR DELETE OR TRUNCATE ON cdr.call
    FOR EACH STATEMENT EXECUTE FUNCTION cdr.note_removal();
CREATE TRIGGER preserved_call_removals_noted AFTER UPDATE OR DELETE OR TRUNCATE ON cdr.preserved_call
    FOR EACH STATEMENT EXECUTE FUNCTION cdr.note_removal();

-- As in 007_identifier_days.sql, and it counts a removal: the days it forgets leave every lookup's
-- view in the retention transaction that calls it, also when their partitions are dropped later
-- (which no trigger sees).
CREATE OR REPLACE FUNCTION cdr.forget_identifier_days(from_time timestamptz, to_time timestamptz) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    first_day date := (from_time AT TIME ZONE 'UTC')::date;
    last_day date := ((to_time - interval '1 microsecond') AT TIME ZONE 'UTC')::date;
    whole_first date := first_day + CASE WHEN from_time = first_day::timestamp AT TIME ZONE 'UTC' THEN 0 ELSE 1 END;
    whole_last date := last_day - CASE WHEN to_time = (last_day + 1)::timestamp AT TIME ZONE 'UTC' THEN 0 ELSE 1 END;
BEGIN
    UPDATE cdr.removals SET count = count + 1;
    DELETE FROM cdr.identifier_day AS d WHERE d.day BETWEEN first_day AND last_day;
    DELETE FROM cdr.unindexed_day AS u WHERE u.day BETWEEN whole_first AND whole_last;
    INSERT INTO cdr.unindexed_day (day)
    SELECT DISTINCT d FROM unnest(ARRAY[first_day, last_day]) AS d WHERE d NOT BETWEEN whole_first AND whole_last
    ON CONFLICT DO NOTHING;
END
$$;

-- The calls an audit entry recorded, until lawful.disclose may no longer hand them out (10
-- minutes). Readable by cdrstore_lawful alone, like the calls themselves.
CREATE TABLE lawful.held_result (
    entry      bigint PRIMARY KEY,
    held_until timestamptz NOT NULL,
    removals   bigint NOT NULL,
    calls      lawful.disclosed_call[] NOT NULL
);
CREATE INDEX held_result_held_until ON lawful.held_result (held_until);

-- Holds `calls` for audit entry `entry`, read when cdr.removals stood at `removals`, and lets go of
-- the results no longer handed out.
CREATE FUNCTION lawful.hold_result(entry bigint, removals bigint, calls lawful.disclosed_call[]) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM lawful.held_result AS h WHERE h.held_until < clock_timestamp();
    INSERT INTO lawful.held_result (entry, held_until, removals, calls)
    VALUES (hold_result.entry, clock_timestamp() + interval '10 minutes', hold_result.removals, hold_result.calls);
    RETURN entry;
END
$$;
REVOKE ALL ON FUNCTION lawful.hold_result(bigint, bigint, lawful.disclosed_call[]) FROM PUBLIC;

ALTER TABLE cdr.identifier_day ADD COLUMN roles smallint NOT NULL DEFAULT 7 CHECK (roles BETWEEN 1 AND 7);
COMMENT ON COLUMN cdr.identifier_day.roles IS
    'Where the identifier occurs that day: 1 source, 2 destination, 4 source IP (bits, or-ed)';

-- As in 007_identifier_days.sql, with each pair's roles.
CREATE OR REPLACE FUNCTION cdr.index_day(day date) RETURNS bigint
    LANGUAGE plpgsql
AS $function$
DECLARE
    partition regclass := to_regclass(format('cdr.%I', cdr.partition_name(day)));
    pairs bigint := 0;
BEGIN
    DELETE FROM cdr.identifier_day AS d WHERE d.day = index_day.day;
    IF partition IS NOT NULL THEN
        EXECUTE format('LOCK TABLE %s IN SHARE MODE', partition);
        -- A statement after the lock, so that its snapshot holds every call committed before it.
        EXECUTE format($query$
            INSERT INTO cdr.identifier_day (day, identifier, roles)
            SELECT %L::date, k.identifier, bit_or(k.role)::smallint
            FROM %s AS c
            CROSS JOIN LATERAL unnest(cdr.call_identifiers(c.source, c.destination, c.source_ip),
                                      ARRAY[1, 2, 4]) AS k (identifier, role)
            WHERE k.identifier IS NOT NULL
            GROUP BY k.identifier
            ORDER BY 2
            $query$, day, partition);
        GET DIAGNOSTICS pairs = ROW_COUNT;
    END IF;
    DELETE FROM cdr.unindexed_day AS u WHERE u.day = index_day.day;
    RETURN pairs;
END
$function$;

-- The condition a day's branch tests for the columns `roles` names; $3 is the identifier, $4 the
-- address (NULL when the identifier is none).
CREATE FUNCTION lawful.identifier_condition(roles integer) RETURNS text
    LANGUAGE sql IMMUTABLE
    RETURN '(' || concat_ws(' OR ', CASE WHEN roles & 1 <> 0 THEN 'source = $3' END,
                                    CASE WHEN roles & 2 <> 0 THEN 'destination = $3' END,
                                    CASE WHEN roles & 4 <> 0 THEN 'source_ip = $4' END) || ')';

-- As in 007_identifier_days.sql, without the days argument that lawful.disclose used to search
-- again, and each indexed day's branch testing only the columns the identifier occurs in that day
-- (all three on an unindexed day): the live calls are searched on the indexed days on which
-- cdr.identifier_day names the identifier and on every unindexed day of the window; preserved
-- calls (whose days may be dropped) over the whole window through their own indexes.
DROP FUNCTION lawful.calls_of(text, timestamptz, timestamptz, boolean, timestamptz[]);
CREATE FUNCTION lawful.calls_of(identifier text, from_time timestamptz, to_time timestamptz, with_preserved boolean)
    RETURNS lawful.disclosed_call[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    address inet := CASE WHEN lawful.is_address(identifier) THEN identifier::inet END;
    keys text[] := lawful.identifier_keys(identifier);
    from_day date := (from_time AT TIME ZONE 'UTC')::date;
    to_day date := (to_time AT TIME ZONE 'UTC')::date;
    live_branches text;
    found lawful.disclosed_call[];
BEGIN
    -- One statement, so one snapshot: a day being indexed meanwhile is seen either before
    -- (unindexed) or after (indexed), never in between. One branch per day, on the day's
    -- partition by name: the planner opens and plans just those tables.
    SELECT coalesce(string_agg(format($branch$
            SELECT start_time, answer_time, end_time, duration_s, source, destination, source_ip, call_type,
                   disposition, equipment, account, feed, record_key, record_hash, 'live'::text AS stored
            FROM cdr.%I
            WHERE start_time >= $1 AND start_time < $2 AND %s
            UNION ALL$branch$, p.name, lawful.identifier_condition(p.roles)), ''), '')
    INTO live_branches
    FROM (SELECT cdr.partition_name(w.day) AS name, bit_or(w.roles) AS roles
          FROM (SELECT d.day, d.roles::integer AS roles FROM cdr.identifier_day AS d
                WHERE d.identifier = ANY (keys) AND d.day BETWEEN from_day AND to_day
                UNION ALL
                SELECT u.day, 7 FROM cdr.unindexed_day AS u WHERE u.day BETWEEN from_day AND to_day) AS w
          GROUP BY w.day) AS p
    WHERE to_regclass(format('cdr.%I', p.name)) IS NOT NULL;
    IF live_branches = '' AND NOT with_preserved THEN
        RETURN '{}';
    END IF;
    -- A call both live and preserved (its day not dropped yet) counts once, as live. Deduplicating
    -- here rather than with NOT EXISTS against cdr.call keeps the planner to the days' partitions.
    EXECUTE format($query$
        WITH found_anywhere AS (%1$s
            SELECT start_time, answer_time, end_time, duration_s, source, destination, source_ip, call_type,
                   disposition, equipment, account, feed, record_key, record_hash, 'preserved'::text AS stored
            FROM cdr.preserved_call
            WHERE $5 AND start_time >= $1 AND start_time < $2
              AND (source = $3 OR destination = $3 OR source_ip = $4)
        ),
        matched AS (
            SELECT DISTINCT ON (f.feed, f.record_hash, f.start_time) f.*
            FROM found_anywhere AS f
            ORDER BY f.feed, f.record_hash, f.start_time, f.stored = 'preserved'
        )
        SELECT array_agg(ROW(
                   m.n::integer, lawful.utc(m.start_time), lawful.utc(m.answer_time), lawful.utc(m.end_time),
                   m.duration_s, m.source, m.destination, host(m.source_ip), m.call_type, m.disposition, m.equipment,
                   m.account, m.feed, m.record_key, m.stored)::lawful.disclosed_call
                   ORDER BY m.n)
        FROM (SELECT matched.*, row_number() OVER (ORDER BY start_time, feed, record_hash) AS n FROM matched) AS m
        $query$, live_branches)
    INTO found
    USING from_time, to_time, identifier, address, with_preserved;
    RETURN coalesce(found, '{}');
END
$$;
REVOKE ALL ON FUNCTION lawful.calls_of(text, timestamptz, timestamptz, boolean) FROM PUBLIC;

-- The count of removals, read before a lookup reads the calls: a removal committed after it is
-- seen by lawful.disclose, one committed before it is already in what the lookup reads.
CREATE FUNCTION lawful.removals_so_far() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    RETURN (SELECT r.count FROM cdr.removals AS r);
REVOKE ALL ON FUNCTION lawful.removals_so_far() FROM PUBLIC;

-- Step 1 of a lookup, as in 006_commit_before_disclose.sql, holding the result it audits.
CREATE OR REPLACE FUNCTION lawful.lookup(request_id bigint, identifier text, from_time timestamptz, to_time timestamptz)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r lawful.request;
    asked jsonb := jsonb_build_object('identifier', identifier, 'requested_from', lawful.utc(from_time),
                                      'requested_to', lawful.utc(to_time));
    refusal text;
    window_from timestamptz;
    window_to timestamptz;
    removals bigint;
    calls lawful.disclosed_call[];
BEGIN
    SELECT * INTO r FROM lawful.request AS q WHERE q.id = lookup.request_id;
    refusal := lawful.lookup_refusal(r, request_id, identifier, from_time, to_time);
    IF refusal IS NOT NULL THEN
        RETURN lawful.append_audit('lookup-refused', request_id, asked || jsonb_build_object('reason', refusal), 0,
                                   NULL);
    END IF;
    window_from := greatest(coalesce(from_time, r.authorised_from), r.authorised_from);
    window_to := least(coalesce(to_time, r.authorised_to), r.authorised_to);
    removals := lawful.removals_so_far();
    calls := lawful.calls_of(identifier, window_from, window_to, true);
    RETURN lawful.hold_result(
        lawful.append_audit('lookup', r.id,
            asked || jsonb_build_object('from', lawful.utc(window_from), 'to', lawful.utc(window_to),
                                        'clipped', (from_time IS NOT NULL AND from_time < r.authorised_from)
                                                   OR (to_time IS NOT NULL AND to_time > r.authorised_to),
                                        'days', lawful.days_of(calls)),
            cardinality(calls), lawful.result_digest(calls)),
        removals, calls);
END
$$;

-- Step 1 of a subject export, as in 006_commit_before_disclose.sql, holding the result it audits.
CREATE OR REPLACE FUNCTION lawful.subject_export(identifier text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    removals bigint;
    calls lawful.disclosed_call[];
BEGIN
    IF identifier IS NULL OR btrim(identifier) = '' OR length(identifier) > 256 THEN
        RAISE EXCEPTION 'the identifier is empty or longer than 256 characters' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    removals := lawful.removals_so_far();
    calls := lawful.calls_of(identifier, '-infinity', 'infinity', false);
    RETURN lawful.hold_result(
        lawful.append_audit('subject-export', NULL,
                            jsonb_build_object('identifier', identifier, 'days', lawful.days_of(calls)),
                            cardinality(calls), lawful.result_digest(calls)),
        removals, calls);
END
$$;

-- Step 2, as in 006_commit_before_disclose.sql, handing out the held result: to the login that
-- wrote the entry, once its transaction has committed, within 10 minutes, while its request is
-- open and no calls were removed since step 1 read them.
CREATE OR REPLACE FUNCTION lawful.disclose(entry bigint) RETURNS lawful.disclosure
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a lawful.audit;
    asked jsonb;
    r lawful.request;
    held lawful.held_result;
    state text;
BEGIN
    SELECT * INTO a FROM lawful.audit AS e WHERE e.seq = entry;
    IF a.seq IS NULL OR a.login <> session_user OR a.action NOT IN ('lookup', 'lookup-refused', 'subject-export') THEN
        RAISE EXCEPTION 'audit entry % is not a lookup or subject export of yours', entry
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    state := coalesce(pg_xact_status(a.xact_id), 'unknown');
    IF state <> 'committed' THEN
        RAISE EXCEPTION 'audit entry % is not committed (its transaction is %); call data is handed out only '
                        'after the entry recording it is committed', entry, state
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = format('commit the transaction that called the lookup, then call lawful.disclose(%s)', entry);
    END IF;
    asked := a.criteria::jsonb;
    IF a.action = 'lookup-refused' THEN
        RAISE EXCEPTION '%', asked ->> 'reason' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO held FROM lawful.held_result AS h WHERE h.entry = disclose.entry;
    IF a.at < clock_timestamp() - interval '10 minutes' OR held.entry IS NULL THEN
        RAISE EXCEPTION 'audit entry % was written at %; a result is handed out within 10 minutes of its entry, '
                        'look up again', entry, lawful.utc(a.at) USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF a.action = 'lookup' THEN
        SELECT * INTO r FROM lawful.request AS q WHERE q.id = a.request_id;
        IF r.closed_at IS NOT NULL THEN
            RAISE EXCEPTION 'legal request % was closed by % at %, after audit entry %; its result is not handed out',
                r.id, r.closed_by, lawful.utc(r.closed_at), entry USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF held.removals <> lawful.removals_so_far() THEN
        RAISE EXCEPTION 'calls were removed or changed after audit entry % was written (retention ran, or rows of '
                        'cdr.call or cdr.preserved_call were deleted or updated); nothing is handed out, look up again',
            entry USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF lawful.result_digest(held.calls) IS DISTINCT FROM a.result_sha256 THEN
        RAISE EXCEPTION 'the held result of audit entry % does not match its digest; nothing is handed out', entry
            USING ERRCODE = 'data_corrupted';
    END IF;
    RETURN ROW(a.seq, asked ->> 'from', asked ->> 'to', coalesce((asked ->> 'clipped')::boolean, false),
               cardinality(held.calls), encode(a.result_sha256, 'hex'), held.calls)::lawful.disclosure;
END
$$;
