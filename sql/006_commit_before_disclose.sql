-- cdrstore schema 6: commit before disclose. No call data leaves the database unless the audit
-- entry recording that disclosure is already committed, in a transaction of its own:
--
--   1. lawful.lookup(...) / lawful.subject_export(...) check the request, compute the result and
--      append an audit entry (criteria, count, SHA-256 of the result) stamped with the id of the
--      transaction that writes it. They return only the entry's number; a refusal by policy is
--      an entry too (action 'lookup-refused', with its reason), never an error, so a refused
--      attempt leaves its mark even if the caller rolls back.
--   2. lawful.disclose(entry) hands out the calls of that entry, only to the login that wrote it,
--      only once pg_xact_status says that transaction committed, only within 10 minutes, only
--      while its request is open, and only when the result computed again has the audited digest.
--      A refused entry raises its reason here.
--
-- Rolling back, a savepoint, a cursor, a DO block, an error message or a prepared transaction
-- around step 1 leaves nothing to disclose, since step 2 refuses an entry whose transaction has
-- not committed. The functions run as the NOLOGIN role cdrstore_lawful once `cdrstore roles
-- setup` has run (sql/roles.sql).

-- The transaction that wrote an entry. Not part of the hash chain: it says only whether the entry
-- is committed, which the database itself knows. Entries from before this migration have none.
ALTER TABLE lawful.audit ADD COLUMN xact_id xid8;
ALTER TABLE lawful.audit ALTER COLUMN xact_id SET DEFAULT pg_current_xact_id();

-- Appends an entry at the end of the chain and returns its sequence number. Appends are
-- serialised by a lock held to the end of the transaction, so the chain has no forks; a caller
-- waits at most 15 s for it (officer logins end an idle open transaction after 5 s).
CREATE OR REPLACE FUNCTION lawful.append_audit(
    action text, request_id bigint, criteria jsonb, records bigint, result_sha256 bytea
) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET lock_timeout = '15s'
AS $$
DECLARE
    last lawful.audit;
    entry_seq bigint;
    entry_at timestamptz;
    criteria_text text := criteria::text;
    previous bytea;
BEGIN
    BEGIN
        LOCK TABLE lawful.audit IN SHARE ROW EXCLUSIVE MODE;
    EXCEPTION WHEN lock_not_available THEN
        RAISE EXCEPTION 'the audit log has been held for 15 s by another transaction that has not ended; try again'
            USING ERRCODE = 'lock_not_available',
                  HINT = 'pg_stat_activity shows the session (state ''idle in transaction'' or a long statement)';
    END;
    entry_at := clock_timestamp();
    SELECT * INTO last FROM lawful.audit ORDER BY seq DESC LIMIT 1;
    entry_seq := coalesce(last.seq, 0) + 1;
    previous := coalesce(last.entry_hash, decode(repeat('00', 32), 'hex'));
    INSERT INTO lawful.audit (seq, at, login, action, request_id, criteria, records, result_sha256, prev_hash, entry_hash,
                              xact_id)
    VALUES (entry_seq, entry_at, session_user, append_audit.action, append_audit.request_id, criteria_text,
            append_audit.records, append_audit.result_sha256, previous,
            sha256(previous || lawful.audit_canonical(entry_seq, entry_at, session_user, append_audit.action,
                                                      append_audit.request_id, criteria_text, append_audit.records,
                                                      append_audit.result_sha256)),
            pg_current_xact_id());
    RETURN entry_seq;
END
$$;

-- The calls starting in [from_time, to_time) where `identifier` is the source, the destination
-- or (when it is an IP address) the source IP; live rows and preserved rows alike, oldest first.
-- With `days` (UTC midnights), only the calls of those days: lawful.disclose recomputes a result
-- on the days it was found on, so the planner visits those partitions only, not the whole window.
DROP FUNCTION lawful.calls_of(text, timestamptz, timestamptz, boolean);
CREATE FUNCTION lawful.calls_of(
    identifier text, from_time timestamptz, to_time timestamptz, with_preserved boolean, days timestamptz[]
) RETURNS lawful.disclosed_call[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    address inet := CASE WHEN lawful.is_address(identifier) THEN identifier::inet END;
    on_days text := '';
    found lawful.disclosed_call[];
BEGIN
    IF days IS NOT NULL THEN
        IF cardinality(days) = 0 THEN
            RETURN '{}';
        END IF;
        -- Literal ranges, so that the plan of this one execution keeps just those partitions.
        SELECT ' AND (' || string_agg(format('(start_time >= %L AND start_time < %L)', d, d + interval '1 day'), ' OR ')
               || ')'
        INTO on_days FROM unnest(days) AS d;
    END IF;
    -- A call both live and preserved (its day not dropped yet) counts once, as live. Deduplicating
    -- here rather than with NOT EXISTS against cdr.call keeps the planner to the window's partitions.
    EXECUTE format($query$
        WITH found_anywhere AS (
            SELECT start_time, answer_time, end_time, duration_s, source, destination, source_ip, call_type,
                   disposition, equipment, account, feed, record_key, record_hash, 'live' AS stored
            FROM cdr.call
            WHERE start_time >= $1 AND start_time < $2 %1$s
              AND (source = $3 OR destination = $3 OR source_ip = $4)
            UNION ALL
            SELECT start_time, answer_time, end_time, duration_s, source, destination, source_ip, call_type,
                   disposition, equipment, account, feed, record_key, record_hash, 'preserved'
            FROM cdr.preserved_call
            WHERE $5 AND start_time >= $1 AND start_time < $2 %1$s
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
        $query$, on_days)
    INTO found
    USING from_time, to_time, identifier, address, with_preserved;
    RETURN coalesce(found, '{}');
END
$$;
REVOKE ALL ON FUNCTION lawful.calls_of(text, timestamptz, timestamptz, boolean, timestamptz[]) FROM PUBLIC;

-- The UTC days on which `calls` start, as midnights: what lawful.disclose searches again.
CREATE FUNCTION lawful.days_of(calls lawful.disclosed_call[]) RETURNS jsonb
    LANGUAGE sql STABLE
    RETURN coalesce(
        (SELECT jsonb_agg(DISTINCT lawful.utc(date_trunc('day', c.start_time::timestamptz, 'UTC')))
         FROM unnest(calls) AS c),
        '[]');

-- Refuses a login that is not an officer: a superuser or any other role cannot be one of the four eyes.
CREATE FUNCTION lawful.require_officer(what text) RETURNS void
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cdrstore_officer') THEN
        RAISE EXCEPTION 'the cdrstore roles do not exist; run cdrstore roles setup, then % as an officer login', what
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (SELECT r.rolsuper FROM pg_roles AS r WHERE r.rolname = session_user)
       OR NOT pg_has_role(session_user, 'cdrstore_officer', 'MEMBER') THEN
        RAISE EXCEPTION '% is not an officer login; only a member of cdrstore_officer that is not a superuser may %',
            session_user, what USING ERRCODE = 'insufficient_privilege';
    END IF;
END
$$;

-- Registers a request, or returns the existing one with the same (country, authority, number).
-- Only an officer login registers.
CREATE OR REPLACE FUNCTION lawful.create_request(
    country_code text, authority text, request_number text, legal_basis text, decision_by text, decision_ref text,
    identifiers text[], authorised_from timestamptz, authorised_to timestamptz, deadline timestamptz
) RETURNS TABLE (id bigint, created boolean)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    inserted lawful.request;
BEGIN
    PERFORM lawful.require_officer('register a legal request');
    IF EXISTS (SELECT 1 FROM unnest(create_request.identifiers) AS i WHERE btrim(i) = '' OR length(i) > 256) THEN
        RAISE EXCEPTION 'an identifier of a request is empty or longer than 256 characters'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO lawful.request AS r (country_code, authority, request_number, legal_basis, decision_by, decision_ref,
                                     identifiers, authorised_from, authorised_to, deadline)
    VALUES (create_request.country_code, create_request.authority, create_request.request_number,
            create_request.legal_basis, create_request.decision_by, create_request.decision_ref,
            ARRAY(SELECT DISTINCT i FROM unnest(create_request.identifiers) AS i ORDER BY i),
            create_request.authorised_from, create_request.authorised_to, create_request.deadline)
    ON CONFLICT ON CONSTRAINT request_id_unique DO NOTHING
    RETURNING * INTO inserted;
    IF inserted.id IS NULL THEN
        RETURN QUERY SELECT r.id, false FROM lawful.request AS r
            WHERE r.country_code = create_request.country_code AND r.authority = create_request.authority
              AND r.request_number = create_request.request_number;
        RETURN;
    END IF;
    PERFORM lawful.append_audit('request-create', inserted.id, lawful.request_criteria(inserted), 0, NULL);
    RETURN QUERY SELECT inserted.id, true;
END
$$;

-- Approves a request: the approver must be an officer login other than its creator (four eyes).
CREATE OR REPLACE FUNCTION lawful.approve_request(request_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r lawful.request;
BEGIN
    PERFORM lawful.require_officer('approve a legal request');
    r := lawful.locked_request(request_id);
    IF r.closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'legal request % was closed by % and cannot be approved', r.id, r.closed_by
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF r.approved_by IS NOT NULL THEN
        RAISE EXCEPTION 'legal request % was already approved by %', r.id, r.approved_by
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF r.created_by = session_user THEN
        RAISE EXCEPTION 'four-eyes rule: % created legal request % and cannot approve it; another officer must',
            session_user, r.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE lawful.request AS q SET approved_by = session_user, approved_at = now() WHERE q.id = r.id;
    PERFORM lawful.append_audit('request-approve', r.id, jsonb_build_object('created_by', r.created_by), 0, NULL);
END
$$;

-- Why a lookup of `identifier` in [from_time, to_time) under request `r` is refused, or NULL.
CREATE FUNCTION lawful.lookup_refusal(
    r lawful.request, request_id bigint, identifier text, from_time timestamptz, to_time timestamptz
) RETURNS text
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN r.id IS NULL THEN format('there is no legal request %s', request_id)
    WHEN r.closed_at IS NOT NULL THEN
        format('legal request %s was closed by %s at %s; no lookup runs on it', r.id, r.closed_by,
               lawful.utc(r.closed_at))
    WHEN r.approved_by IS NULL THEN
        format('legal request %s is not approved yet; a second officer must approve it first', r.id)
    WHEN identifier IS NULL OR btrim(identifier) = '' THEN 'the identifier is empty'
    WHEN length(identifier) > 256 THEN
        format('the identifier is %s characters long; at most 256 are accepted', length(identifier))
    WHEN cardinality(r.identifiers) > 0 AND NOT identifier = ANY (r.identifiers) THEN
        format('legal request %s does not name this identifier; it names %s', r.id,
               array_to_string(r.identifiers, ', '))
    WHEN greatest(coalesce(from_time, r.authorised_from), r.authorised_from)
         >= least(coalesce(to_time, r.authorised_to), r.authorised_to) THEN
        format('the window %s to %s lies outside the authorised window of legal request %s (%s to %s)',
               lawful.utc(coalesce(from_time, r.authorised_from)), lawful.utc(coalesce(to_time, r.authorised_to)),
               r.id, lawful.utc(r.authorised_from), lawful.utc(r.authorised_to))
END;

-- Step 1 of a lookup: on an approved, open request, for one identifier, inside the request's
-- authorised window (a wider window is clipped to it and the clipping recorded). Returns the
-- number of the audit entry that records the result, or the refusal; lawful.disclose(entry)
-- hands the calls out once this transaction has committed.
DROP FUNCTION lawful.lookup(bigint, text, timestamptz, timestamptz);
CREATE FUNCTION lawful.lookup(request_id bigint, identifier text, from_time timestamptz, to_time timestamptz)
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
    calls := lawful.calls_of(identifier, window_from, window_to, true, NULL);
    RETURN lawful.append_audit('lookup', r.id,
        asked || jsonb_build_object('from', lawful.utc(window_from), 'to', lawful.utc(window_to),
                                    'clipped', (from_time IS NOT NULL AND from_time < r.authorised_from)
                                               OR (to_time IS NOT NULL AND to_time > r.authorised_to),
                                    'days', lawful.days_of(calls)),
        cardinality(calls), lawful.result_digest(calls));
END
$$;

-- Step 1 of a subject export (GDPR Art. 15/20): the live calls of `identifier`, audited; returns
-- the entry's number for lawful.disclose. It shows nothing that only a hold keeps, so it never
-- reveals that a request or hold exists.
DROP FUNCTION lawful.subject_export(text);
CREATE FUNCTION lawful.subject_export(identifier text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    calls lawful.disclosed_call[];
BEGIN
    IF identifier IS NULL OR btrim(identifier) = '' OR length(identifier) > 256 THEN
        RAISE EXCEPTION 'the identifier is empty or longer than 256 characters' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    calls := lawful.calls_of(identifier, '-infinity', 'infinity', false, NULL);
    RETURN lawful.append_audit('subject-export', NULL,
                               jsonb_build_object('identifier', identifier, 'days', lawful.days_of(calls)),
                               cardinality(calls), lawful.result_digest(calls));
END
$$;

-- Step 2: the calls that audit entry `entry` records, to the login that wrote it, once the
-- transaction that wrote it has committed. Raises the reason of a refused lookup.
CREATE FUNCTION lawful.disclose(entry bigint) RETURNS lawful.disclosure
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a lawful.audit;
    asked jsonb;
    r lawful.request;
    calls lawful.disclosed_call[];
    digest bytea;
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
    IF a.at < clock_timestamp() - interval '10 minutes' THEN
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
    -- The result again, on the days it was found on: a call gone since (retention ran, a hold was
    -- released) changes the digest; a late call on another day is not part of what was audited.
    calls := lawful.calls_of(asked ->> 'identifier', coalesce((asked ->> 'from')::timestamptz, '-infinity'),
                             coalesce((asked ->> 'to')::timestamptz, 'infinity'), a.action = 'lookup',
                             ARRAY(SELECT d::timestamptz FROM jsonb_array_elements_text(asked -> 'days') AS d));
    digest := lawful.result_digest(calls);
    IF digest IS DISTINCT FROM a.result_sha256 THEN
        RAISE EXCEPTION 'the calls of audit entry % changed after it was written (% then, % now): retention ran, '
                        'a hold was released or late calls arrived; nothing is handed out, look up again',
            entry, a.records, cardinality(calls) USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN ROW(a.seq, asked ->> 'from', asked ->> 'to', coalesce((asked ->> 'clipped')::boolean, false),
               cardinality(calls), encode(digest, 'hex'), calls)::lawful.disclosure;
END
$$;

REVOKE ALL ON FUNCTION lawful.lookup(bigint, text, timestamptz, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION lawful.subject_export(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION lawful.disclose(bigint) FROM PUBLIC;
