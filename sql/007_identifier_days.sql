-- cdrstore schema 7: the days on which each identifier occurs. A lookup over 24 months would
-- otherwise plan and probe all 730 daily partitions, most of which never saw the number; with
-- this index it probes one small table per day of its window, then searches only the partitions
-- of the days the identifier occurs on.
--
-- cdr.identifier_day holds (UTC day, identifier) for every source, destination and source IP of
-- the calls of an *indexed* day. A day is indexed in bulk, by cdr.index_day, once it is over
-- (`cdrstore retention run` and `cdrstore partitions index` do it). Until then the day is listed in
-- cdr.unindexed_day, which a statement trigger on cdr.call keeps in the transaction that stores
-- the calls, whoever stores them (ingest, psql COPY, INSERT); a lookup searches every unindexed
-- day of its window in full. So a lookup never misses a call, and ingest pays only for noting
-- the day: adding the pairs inside each ingest transaction cost 29 % of ingest speed at 300k calls
-- and 75 % in a store of 10M calls (Benchmarks/ingest-vs-copy.sh, Benchmarks/lookup-latency.sh),
-- one index insert per distinct pair, where indexing a finished day reads its partition once.
--
-- Retention removes a day's pairs in the transaction that expires its calls, so no pair outlives
-- the calls that gave it. Preserved calls are not in it: lookups read cdr.preserved_call through
-- its own indexes.

-- The identifiers a call can be found by: its source, its destination and its source IP, the
-- address written as inet's text ('192.0.2.1/32', '2001:db8::1/128'), which is equal exactly
-- when the addresses are. NULLs are in the array and left out by the callers.
CREATE FUNCTION cdr.call_identifiers(source text, destination text, source_ip inet) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY[source, destination, source_ip::text];

-- Keyed day first, so that a day's pairs are replaced or removed with one range of the key; a
-- lookup reads an identifier's days with one range of the second index.
CREATE TABLE cdr.identifier_day (
    day        date NOT NULL,
    identifier text COLLATE "C" NOT NULL,
    PRIMARY KEY (day, identifier)
);
CREATE INDEX identifier_day_identifier ON cdr.identifier_day (identifier, day);
COMMENT ON TABLE cdr.identifier_day IS
    'The identifiers (source, destination, source IP as inet text) of the calls of each indexed UTC day; read by lookups';

-- The days whose calls cdr.identifier_day does not (or not completely) list yet.
CREATE TABLE cdr.unindexed_day (
    day   date PRIMARY KEY,
    since timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE cdr.unindexed_day IS
    'Days with calls stored since they were last indexed; lookups search them in full until cdr.index_day runs';

-- Notes the days of the calls a statement inserted. A day already noted costs nothing more; the
-- days are sorted so that two ingests noting the same new days wait for each other in one order.
CREATE FUNCTION cdr.note_unindexed_days() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO cdr.unindexed_day (day)
    SELECT DISTINCT (c.start_time AT TIME ZONE 'UTC')::date FROM new_calls AS c ORDER BY 1
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER call_days_noted AFTER INSERT ON cdr.call
    REFERENCING NEW TABLE AS new_calls FOR EACH STATEMENT EXECUTE FUNCTION cdr.note_unindexed_days();

-- The days already stored are unindexed until the first cdr.index_day.
INSERT INTO cdr.unindexed_day (day) SELECT p.day FROM cdr.partitions AS p;

-- Indexes `day`: replaces its pairs with those of the calls its partition holds now and takes it
-- off cdr.unindexed_day; returns the number of pairs. Run it in a transaction of its own: it holds
-- a SHARE lock on the day's partition to its end, so that no call arrives unseen meanwhile (an
-- insert into that day waits, at most as long as the indexing takes).
CREATE FUNCTION cdr.index_day(day date) RETURNS bigint
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
            INSERT INTO cdr.identifier_day (day, identifier)
            SELECT DISTINCT %L::date, k.identifier
            FROM %s AS c
            CROSS JOIN LATERAL unnest(cdr.call_identifiers(c.source, c.destination, c.source_ip)) AS k (identifier)
            WHERE k.identifier IS NOT NULL
            ORDER BY 2
            $query$, day, partition);
        GET DIAGNOSTICS pairs = ROW_COUNT;
    END IF;
    DELETE FROM cdr.unindexed_day AS u WHERE u.day = index_day.day;
    RETURN pairs;
END
$function$;

-- Retention: the calls starting in [from_time, to_time) are deleted, or their partitions are about
-- to be dropped. Removes the pairs of every day the range touches; a day that keeps calls outside
-- the range (the day the cutoff falls in) is noted unindexed, a day wholly inside it is forgotten.
-- Called in the transaction that deletes the calls.
CREATE FUNCTION cdr.forget_identifier_days(from_time timestamptz, to_time timestamptz) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    first_day date := (from_time AT TIME ZONE 'UTC')::date;
    last_day date := ((to_time - interval '1 microsecond') AT TIME ZONE 'UTC')::date;
    whole_first date := first_day + CASE WHEN from_time = first_day::timestamp AT TIME ZONE 'UTC' THEN 0 ELSE 1 END;
    whole_last date := last_day - CASE WHEN to_time = (last_day + 1)::timestamp AT TIME ZONE 'UTC' THEN 0 ELSE 1 END;
BEGIN
    DELETE FROM cdr.identifier_day AS d WHERE d.day BETWEEN first_day AND last_day;
    DELETE FROM cdr.unindexed_day AS u WHERE u.day BETWEEN whole_first AND whole_last;
    INSERT INTO cdr.unindexed_day (day)
    SELECT DISTINCT d FROM unnest(ARRAY[first_day, last_day]) AS d WHERE d NOT BETWEEN whole_first AND whole_last
    ON CONFLICT DO NOTHING;
END
$$;

-- As in 001_schema.sql (run as its owner since 005_lawful_access.sql), and a new partition is
-- readable by cdrstore_lawful, whose lookups read a day's partition by name.
CREATE OR REPLACE FUNCTION cdr.ensure_partition(day date) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    partition text := cdr.partition_name(day);
BEGIN
    IF to_regclass(format('cdr.%I', partition)) IS NOT NULL THEN
        RETURN false;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('cdrstore'), hashtext('partition'));
    IF to_regclass(format('cdr.%I', partition)) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format(
        'CREATE TABLE cdr.%I PARTITION OF cdr.call FOR VALUES FROM (%L) TO (%L)',
        partition,
        day::timestamp AT TIME ZONE 'UTC',
        (day + 1)::timestamp AT TIME ZONE 'UTC');
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cdrstore_lawful') THEN
        EXECUTE format('GRANT SELECT ON cdr.%I TO cdrstore_lawful', partition);
    END IF;
    RETURN true;
END
$$;

-- The keys cdr.identifier_day holds for calls a lookup of `identifier` finds: the identifier as a
-- party, and as a source IP when it is an address.
CREATE FUNCTION lawful.identifier_keys(identifier text) RETURNS text[]
    LANGUAGE sql IMMUTABLE
    RETURN CASE WHEN lawful.is_address(identifier) THEN ARRAY[identifier, identifier::inet::text]
                ELSE ARRAY[identifier] END;

-- As in 006_commit_before_disclose.sql, but without `days` the live calls are searched only on the
-- indexed days on which cdr.identifier_day names the identifier and on every unindexed day of the
-- window; preserved calls (whose days may be dropped) are searched over the whole window through
-- their own indexes. With `days` (what lawful.disclose passes), both on those days only.
CREATE OR REPLACE FUNCTION lawful.calls_of(
    identifier text, from_time timestamptz, to_time timestamptz, with_preserved boolean, days timestamptz[]
) RETURNS lawful.disclosed_call[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    address inet := CASE WHEN lawful.is_address(identifier) THEN identifier::inet END;
    keys text[] := lawful.identifier_keys(identifier);
    from_day date := (from_time AT TIME ZONE 'UTC')::date;
    to_day date := (to_time AT TIME ZONE 'UTC')::date;
    live_days timestamptz[] := days;
    live_branches text;
    preserved_on text := '';
    found lawful.disclosed_call[];
BEGIN
    IF days IS NULL THEN
        -- One statement, so one snapshot: a day being indexed meanwhile is seen either before
        -- (unindexed) or after (indexed), never in between.
        SELECT coalesce(array_agg(w.day::timestamp AT TIME ZONE 'UTC' ORDER BY w.day), '{}') INTO live_days
        FROM (
            SELECT d.day FROM cdr.identifier_day AS d
            WHERE d.identifier = ANY (keys) AND d.day BETWEEN from_day AND to_day
            UNION
            SELECT u.day FROM cdr.unindexed_day AS u WHERE u.day BETWEEN from_day AND to_day
        ) AS w;
    END IF;
    IF cardinality(live_days) = 0 AND (days IS NOT NULL OR NOT with_preserved) THEN
        RETURN '{}';
    END IF;
    -- One branch per day, on the day's partition by name: the planner opens and plans just those
    -- tables, with the simple conditions their indexes serve. (Measured with 11 days: 3 ms to plan
    -- from a new connection, where the same branches on cdr.call, pruned to one partition each,
    -- took 11 ms, and one condition listing every day on cdr.call grew with the square of the days.)
    SELECT coalesce(string_agg(format($branch$
            SELECT start_time, answer_time, end_time, duration_s, source, destination, source_ip, call_type,
                   disposition, equipment, account, feed, record_key, record_hash, 'live'::text AS stored
            FROM cdr.%I
            WHERE start_time >= $1 AND start_time < $2 AND (source = $3 OR destination = $3 OR source_ip = $4)
            UNION ALL$branch$, p.name), ''), '')
    INTO live_branches
    FROM (SELECT cdr.partition_name((d AT TIME ZONE 'UTC')::date) AS name FROM unnest(live_days) AS d) AS p
    WHERE to_regclass(format('cdr.%I', p.name)) IS NOT NULL;
    IF days IS NOT NULL THEN
        SELECT coalesce(' AND (' || string_agg(format('(start_time >= %L AND start_time < %L)', d, d + interval '1 day'),
                                               ' OR ') || ')', ' AND false')
        INTO preserved_on FROM unnest(days) AS d;
    END IF;
    -- A call both live and preserved (its day not dropped yet) counts once, as live. Deduplicating
    -- here rather than with NOT EXISTS against cdr.call keeps the planner to the days' partitions.
    EXECUTE format($query$
        WITH found_anywhere AS (%1$s
            SELECT start_time, answer_time, end_time, duration_s, source, destination, source_ip, call_type,
                   disposition, equipment, account, feed, record_key, record_hash, 'preserved'::text AS stored
            FROM cdr.preserved_call
            WHERE $5 AND start_time >= $1 AND start_time < $2 %2$s
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
        $query$, live_branches, preserved_on)
    INTO found
    USING from_time, to_time, identifier, address, with_preserved;
    RETURN coalesce(found, '{}');
END
$$;
