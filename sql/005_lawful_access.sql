-- cdrstore schema 5: lawful access. Legal requests with four-eyes approval, the hash-chained
-- audit log, and the only doors to call data for officers: SECURITY DEFINER functions that
-- check the request and write the audit entry in the same transaction as the read.
-- Group roles and grants are not created here but by `cdrstore roles setup` (sql/roles.sql).

CREATE SCHEMA lawful;

-- A legal request as ETSI TS 102 657 identifies it: (country, authority, number).
CREATE TABLE lawful.request (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    country_code    text NOT NULL CHECK (country_code ~ '^[A-Z]{2}$'),
    authority       text NOT NULL CHECK (btrim(authority) <> '' AND length(authority) <= 200),
    request_number  text NOT NULL CHECK (btrim(request_number) <> '' AND length(request_number) <= 100),
    legal_basis     text NOT NULL CHECK (btrim(legal_basis) <> '' AND length(legal_basis) <= 200),
    decision_by     text NOT NULL CHECK (btrim(decision_by) <> '' AND length(decision_by) <= 100),
    decision_ref    text NOT NULL CHECK (btrim(decision_ref) <> '' AND length(decision_ref) <= 200),
    -- Normalised like ingest. Empty: the decision names no identifier and lookups take any.
    identifiers     text[] COLLATE "C" NOT NULL DEFAULT '{}',
    authorised_from timestamptz NOT NULL,
    authorised_to   timestamptz NOT NULL,     -- exclusive
    deadline        timestamptz,
    created_by      text NOT NULL DEFAULT session_user,
    created_at      timestamptz NOT NULL DEFAULT now(),
    approved_by     text,
    approved_at     timestamptz,
    closed_by       text,
    closed_at       timestamptz,
    hold_id         bigint REFERENCES cdr.hold (id),     -- the quick-freeze hold, once placed
    preserved_until timestamptz,                         -- its expiry as last set
    hold_extended   boolean NOT NULL DEFAULT false,
    CONSTRAINT request_id_unique UNIQUE (country_code, authority, request_number),
    CONSTRAINT request_window_ordered CHECK (authorised_from < authorised_to),
    CONSTRAINT request_four_eyes CHECK (approved_by IS NULL OR approved_by <> created_by),
    CONSTRAINT request_identifiers_bounded CHECK (cardinality(identifiers) <= 100)
);

-- The audit log: one entry per lookup, export, subject export, request change and hold change.
-- entry_hash = SHA-256(prev_hash || lawful.audit_canonical(...)); prev_hash of entry 1 is 32 zero bytes.
CREATE TABLE lawful.audit (
    seq           bigint PRIMARY KEY CHECK (seq >= 1),
    at            timestamptz NOT NULL,
    login         text NOT NULL,
    action        text NOT NULL,
    request_id    bigint,
    criteria      text NOT NULL,          -- JSON, exactly the text that was hashed
    records       bigint NOT NULL,
    result_sha256 bytea,                  -- of the result set (lookups) or the file (exports)
    prev_hash     bytea NOT NULL,
    entry_hash    bytea NOT NULL
);
CREATE INDEX audit_request ON lawful.audit (request_id, seq);

-- An instant as the log and the handover write it: ISO 8601, UTC, microseconds.
CREATE FUNCTION lawful.utc(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE
    RETURN to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

-- The bytes an entry's hash covers: each field as a netstring ("<length in bytes>:<text>,"),
-- NULL as "-,"; times as UTC with microseconds. `cdrstore audit verify` rebuilds the same bytes.
CREATE FUNCTION lawful.audit_canonical(
    seq bigint, at timestamptz, login text, action text, request_id bigint, criteria text, records bigint,
    result_sha256 bytea
) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    RETURN convert_to(
        (SELECT string_agg(CASE WHEN f IS NULL THEN '-,' ELSE octet_length(f) || ':' || f || ',' END, '' ORDER BY n)
         FROM unnest(ARRAY[
             seq::text,
             lawful.utc(at),
             login, action, request_id::text, criteria, records::text, encode(result_sha256, 'hex')])
              WITH ORDINALITY AS fields (f, n)),
        'UTF8');

-- Appends an entry at the end of the chain and returns its sequence number. Appends are
-- serialised by a lock held to the end of the transaction, so the chain has no forks.
CREATE FUNCTION lawful.append_audit(
    action text, request_id bigint, criteria jsonb, records bigint, result_sha256 bytea
) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    last lawful.audit;
    entry_seq bigint;
    entry_at timestamptz := clock_timestamp();
    criteria_text text := criteria::text;
    previous bytea;
BEGIN
    LOCK TABLE lawful.audit IN SHARE ROW EXCLUSIVE MODE;
    SELECT * INTO last FROM lawful.audit ORDER BY seq DESC LIMIT 1;
    entry_seq := coalesce(last.seq, 0) + 1;
    previous := coalesce(last.entry_hash, decode(repeat('00', 32), 'hex'));
    INSERT INTO lawful.audit (seq, at, login, action, request_id, criteria, records, result_sha256, prev_hash, entry_hash)
    VALUES (entry_seq, entry_at, session_user, append_audit.action, append_audit.request_id, criteria_text,
            append_audit.records, append_audit.result_sha256, previous,
            sha256(previous || lawful.audit_canonical(entry_seq, entry_at, session_user, append_audit.action,
                                                      append_audit.request_id, criteria_text, append_audit.records,
                                                      append_audit.result_sha256)));
    RETURN entry_seq;
END
$$;

-- The log is append-only: no UPDATE, DELETE or TRUNCATE, whoever asks.
CREATE FUNCTION lawful.refuse_audit_rewrite() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'the lawful-access audit log is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON lawful.audit
    FOR EACH ROW EXECUTE FUNCTION lawful.refuse_audit_rewrite();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON lawful.audit
    FOR EACH STATEMENT EXECUTE FUNCTION lawful.refuse_audit_rewrite();

-- A request as the audit criteria record it.
CREATE FUNCTION lawful.request_criteria(r lawful.request) RETURNS jsonb
    LANGUAGE sql STABLE
    RETURN jsonb_build_object(
        'country', r.country_code, 'authority', r.authority, 'number', r.request_number,
        'legal_basis', r.legal_basis, 'decision_by', r.decision_by, 'decision_ref', r.decision_ref,
        'identifiers', to_jsonb(r.identifiers), 'authorised_from', lawful.utc(r.authorised_from),
        'authorised_to', lawful.utc(r.authorised_to), 'deadline', lawful.utc(r.deadline));

-- Registers a request, or returns the existing one with the same (country, authority, number).
CREATE FUNCTION lawful.create_request(
    country_code text, authority text, request_number text, legal_basis text, decision_by text, decision_ref text,
    identifiers text[], authorised_from timestamptz, authorised_to timestamptz, deadline timestamptz
) RETURNS TABLE (id bigint, created boolean)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    inserted lawful.request;
BEGIN
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

-- The request `request_id`, locked for a change; refuses an unknown one.
CREATE FUNCTION lawful.locked_request(request_id bigint) RETURNS lawful.request
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found lawful.request;
BEGIN
    SELECT * INTO found FROM lawful.request AS r WHERE r.id = locked_request.request_id FOR UPDATE;
    IF found.id IS NULL THEN
        RAISE EXCEPTION 'there is no legal request %', request_id USING ERRCODE = 'no_data_found';
    END IF;
    RETURN found;
END
$$;

-- Approves a request: the approver must be another login than its creator (four eyes).
CREATE FUNCTION lawful.approve_request(request_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r lawful.request := lawful.locked_request(request_id);
BEGIN
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

-- Closes a request: no more lookups; its preservation hold, if any, is released.
CREATE FUNCTION lawful.close_request(request_id bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r lawful.request := lawful.locked_request(request_id);
    released boolean := false;
BEGIN
    IF r.closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'legal request % was already closed by %', r.id, r.closed_by
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    UPDATE lawful.request AS q SET closed_by = session_user, closed_at = now() WHERE q.id = r.id;
    IF r.hold_id IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('cdrstore'), hashtext('retention'));
        UPDATE cdr.hold AS h SET released_at = now(), released_by = session_user,
                                 release_reason = format('legal request %s closed', r.id)
        WHERE h.id = r.hold_id AND h.released_at IS NULL;
        released := FOUND;
    END IF;
    PERFORM lawful.append_audit('request-close', r.id,
                                jsonb_build_object('hold_id', r.hold_id, 'hold_released', released), 0, NULL);
END
$$;

-- Quick freeze: places a legal hold on the request's identifiers and window, expiring at most
-- 90 days after the request was registered; a second call extends it once, by at most 90 days.
CREATE FUNCTION lawful.preserve(request_id bigint, until timestamptz) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r lawful.request := lawful.locked_request(request_id);
    current_expiry timestamptz;
    hold bigint := r.hold_id;
BEGIN
    IF r.closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'legal request % is closed; nothing is preserved for it', r.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF cardinality(r.identifiers) = 0 THEN
        RAISE EXCEPTION 'legal request % names no identifier, so there is nothing to preserve', r.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF until <= now() THEN
        RAISE EXCEPTION 'the preservation must end in the future, not at %', until
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('cdrstore'), hashtext('retention'));
    IF hold IS NULL THEN
        IF until > r.created_at + interval '90 days' THEN
            RAISE EXCEPTION 'a preservation lasts at most 90 days from the request (until %), not until %',
                r.created_at + interval '90 days', until USING ERRCODE = 'invalid_parameter_value';
        END IF;
        INSERT INTO cdr.hold (kind, reason, identifiers, addresses, window_from, window_to, expires_at)
        VALUES ('legal', format('legal request %s', r.id),
                ARRAY(SELECT i FROM unnest(r.identifiers) AS i WHERE NOT lawful.is_address(i)),
                ARRAY(SELECT i::inet FROM unnest(r.identifiers) AS i WHERE lawful.is_address(i)),
                r.authorised_from, r.authorised_to, until)
        RETURNING id INTO hold;
        UPDATE lawful.request AS q SET hold_id = hold, preserved_until = until WHERE q.id = r.id;
        PERFORM lawful.append_audit('hold-place', r.id,
                                    jsonb_build_object('hold_id', hold, 'expires_at', lawful.utc(until)), 0, NULL);
        RETURN hold;
    END IF;
    SELECT h.expires_at INTO current_expiry FROM cdr.hold AS h WHERE h.id = hold AND h.released_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the preservation hold % of legal request % was released', hold, r.id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF r.hold_extended THEN
        RAISE EXCEPTION 'the preservation of legal request % was already extended once (until %)', r.id, current_expiry
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF until <= current_expiry OR until > current_expiry + interval '90 days' THEN
        RAISE EXCEPTION 'an extension must end after % and at most 90 days later (until %), not at %',
            current_expiry, current_expiry + interval '90 days', until USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE cdr.hold AS h SET expires_at = until WHERE h.id = hold;
    UPDATE lawful.request AS q SET hold_extended = true, preserved_until = until WHERE q.id = r.id;
    PERFORM lawful.append_audit('hold-extend', r.id,
                                jsonb_build_object('hold_id', hold, 'expires_before', lawful.utc(current_expiry),
                                                   'expires_at', lawful.utc(until)), 0, NULL);
    RETURN hold;
END
$$;

-- Whether `identifier` is an IP address (the source IP of calls) rather than a number or URI.
CREATE FUNCTION lawful.is_address(identifier text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF identifier !~ '^[0-9A-Fa-f:.]+$' THEN
        RETURN false;
    END IF;
    PERFORM identifier::inet;
    RETURN true;
EXCEPTION WHEN invalid_text_representation THEN
    RETURN false;
END
$$;

-- One call handed over by a lookup or a subject export.
CREATE TYPE lawful.disclosed_call AS (
    record_number integer,
    start_time    text,
    answer_time   text,
    end_time      text,
    duration_s    integer,
    source        text,
    destination   text,
    source_ip     text,
    call_type     text,
    disposition   text,
    equipment     text,
    account       text,
    feed          text,
    record_key    text,
    stored        text
);

-- What a lookup or subject export returns: its audit entry, the window searched and the calls.
CREATE TYPE lawful.disclosure AS (
    audit_seq     bigint,
    window_from   text,
    window_to     text,
    clipped       boolean,
    records       bigint,
    result_sha256 text,
    calls         lawful.disclosed_call[]
);

-- The SHA-256 of a result set: each call's fields in order as netstrings (NULL as "-,").
CREATE FUNCTION lawful.result_digest(calls lawful.disclosed_call[]) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    RETURN sha256(convert_to(coalesce(
        (SELECT string_agg(CASE WHEN f IS NULL THEN '-,' ELSE octet_length(f) || ':' || f || ',' END, '' ORDER BY c.n, f.m)
         FROM unnest(calls) WITH ORDINALITY AS c (record_number, start_time, answer_time, end_time, duration_s, source,
                                                  destination, source_ip, call_type, disposition, equipment, account,
                                                  feed, record_key, stored, n)
         CROSS JOIN LATERAL unnest(ARRAY[
             c.record_number::text, c.start_time, c.answer_time, c.end_time, c.duration_s::text, c.source,
             c.destination, c.source_ip, c.call_type, c.disposition, c.equipment, c.account, c.feed, c.record_key,
             c.stored]) WITH ORDINALITY AS f (f, m)),
        ''), 'UTF8'));

-- The calls starting in [from_time, to_time) where `identifier` is the source, the destination
-- or (when it is an IP address) the source IP; live rows and preserved rows alike, oldest first.
CREATE FUNCTION lawful.calls_of(identifier text, from_time timestamptz, to_time timestamptz, with_preserved boolean)
    RETURNS lawful.disclosed_call[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    address inet := CASE WHEN lawful.is_address(identifier) THEN identifier::inet END;
    found lawful.disclosed_call[];
BEGIN
    -- A call both live and preserved (its day not dropped yet) counts once, as live. Deduplicating
    -- here rather than with NOT EXISTS against cdr.call keeps the planner to the window's partitions.
    WITH found_anywhere AS (
        SELECT c.start_time, c.answer_time, c.end_time, c.duration_s, c.source, c.destination, c.source_ip,
               c.call_type, c.disposition, c.equipment, c.account, c.feed, c.record_key, c.record_hash,
               'live' AS stored
        FROM cdr.call AS c
        WHERE c.start_time >= from_time AND c.start_time < to_time
          AND (c.source = identifier OR c.destination = identifier OR c.source_ip = address)
        UNION ALL
        SELECT p.start_time, p.answer_time, p.end_time, p.duration_s, p.source, p.destination, p.source_ip,
               p.call_type, p.disposition, p.equipment, p.account, p.feed, p.record_key, p.record_hash,
               'preserved'
        FROM cdr.preserved_call AS p
        WHERE with_preserved AND p.start_time >= from_time AND p.start_time < to_time
          AND (p.source = identifier OR p.destination = identifier OR p.source_ip = address)
    ),
    matched AS (
        SELECT DISTINCT ON (f.feed, f.record_hash, f.start_time) f.*
        FROM found_anywhere AS f
        ORDER BY f.feed, f.record_hash, f.start_time, f.stored = 'preserved'
    )
    SELECT array_agg(ROW(
               m.n::integer,
               lawful.utc(m.start_time),
               lawful.utc(m.answer_time),
               lawful.utc(m.end_time),
               m.duration_s, m.source, m.destination, host(m.source_ip), m.call_type, m.disposition, m.equipment,
               m.account, m.feed, m.record_key, m.stored)::lawful.disclosed_call
               ORDER BY m.n)
    INTO found
    FROM (SELECT matched.*, row_number() OVER (ORDER BY start_time, feed, record_hash) AS n FROM matched) AS m;
    RETURN coalesce(found, '{}');
END
$$;

-- The audited lookup: on an approved, open request, for one identifier, inside the request's
-- authorised window (a wider window is clipped to it and the clipping recorded).
CREATE FUNCTION lawful.lookup(request_id bigint, identifier text, from_time timestamptz, to_time timestamptz)
    RETURNS lawful.disclosure
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r lawful.request;
    window_from timestamptz;
    window_to timestamptz;
    was_clipped boolean;
    calls lawful.disclosed_call[];
    digest bytea;
    entry bigint;
BEGIN
    SELECT * INTO r FROM lawful.request AS q WHERE q.id = lookup.request_id FOR SHARE;
    IF r.id IS NULL THEN
        RAISE EXCEPTION 'there is no legal request %', request_id USING ERRCODE = 'no_data_found';
    END IF;
    IF r.closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'legal request % was closed by % at %; no lookup runs on it', r.id, r.closed_by, r.closed_at
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF r.approved_by IS NULL THEN
        RAISE EXCEPTION 'legal request % is not approved yet; a second officer must approve it first', r.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF identifier IS NULL OR btrim(identifier) = '' THEN
        RAISE EXCEPTION 'the identifier is empty' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF length(identifier) > 256 THEN
        RAISE EXCEPTION 'the identifier is % characters long; at most 256 are accepted', length(identifier)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF cardinality(r.identifiers) > 0 AND NOT identifier = ANY (r.identifiers) THEN
        RAISE EXCEPTION 'legal request % does not name this identifier; it names %', r.id,
            array_to_string(r.identifiers, ', ') USING ERRCODE = 'insufficient_privilege';
    END IF;
    window_from := greatest(coalesce(from_time, r.authorised_from), r.authorised_from);
    window_to := least(coalesce(to_time, r.authorised_to), r.authorised_to);
    IF window_from >= window_to THEN
        RAISE EXCEPTION 'the window % to % lies outside the authorised window of legal request % (% to %)',
            coalesce(from_time, r.authorised_from), coalesce(to_time, r.authorised_to), r.id, r.authorised_from,
            r.authorised_to USING ERRCODE = 'insufficient_privilege';
    END IF;
    was_clipped := (from_time IS NOT NULL AND from_time < r.authorised_from)
                   OR (to_time IS NOT NULL AND to_time > r.authorised_to);
    calls := lawful.calls_of(identifier, window_from, window_to, true);
    digest := lawful.result_digest(calls);
    entry := lawful.append_audit('lookup', r.id,
        jsonb_build_object('identifier', identifier, 'requested_from', lawful.utc(from_time),
                           'requested_to', lawful.utc(to_time), 'from', lawful.utc(window_from),
                           'to', lawful.utc(window_to), 'clipped', was_clipped),
        cardinality(calls), digest);
    RETURN ROW(entry, lawful.utc(window_from),
               lawful.utc(window_to), was_clipped,
               cardinality(calls), encode(digest, 'hex'), calls)::lawful.disclosure;
END
$$;

-- Records that the result of lookup entry `lookup_seq` was written to a file: its format, name and
-- SHA-256 (the manifest carries the same digest). Only the login that ran the lookup may.
CREATE FUNCTION lawful.record_export(lookup_seq bigint, format text, file_name text, file_sha256 bytea)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    looked lawful.audit;
BEGIN
    SELECT * INTO looked FROM lawful.audit AS a WHERE a.seq = lookup_seq AND a.action = 'lookup';
    IF looked.seq IS NULL OR looked.login <> session_user THEN
        RAISE EXCEPTION 'audit entry % is not a lookup of yours', lookup_seq USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF octet_length(file_sha256) IS DISTINCT FROM 32 OR length(file_name) > 1024 OR length(format) > 20 THEN
        RAISE EXCEPTION 'an export is recorded with a 32-byte SHA-256, a format and a file name'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN lawful.append_audit('export', looked.request_id,
        jsonb_build_object('lookup_seq', lookup_seq, 'format', format, 'file', file_name), looked.records, file_sha256);
END
$$;

-- A person's own records (GDPR Art. 15/20): the live calls of `identifier`, audited. It shows
-- nothing that only a hold keeps, so it never reveals that a request or hold exists.
CREATE FUNCTION lawful.subject_export(identifier text) RETURNS lawful.disclosure
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    calls lawful.disclosed_call[];
    digest bytea;
    entry bigint;
BEGIN
    IF identifier IS NULL OR btrim(identifier) = '' OR length(identifier) > 256 THEN
        RAISE EXCEPTION 'the identifier is empty or longer than 256 characters' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    calls := lawful.calls_of(identifier, '-infinity', 'infinity', false);
    digest := lawful.result_digest(calls);
    entry := lawful.append_audit('subject-export', NULL, jsonb_build_object('identifier', identifier),
                                 cardinality(calls), digest);
    RETURN ROW(entry, NULL, NULL, false, cardinality(calls), encode(digest, 'hex'), calls)::lawful.disclosure;
END
$$;

-- Nobody but the owner runs these until `cdrstore roles setup` grants them to a role.
REVOKE ALL ON FUNCTION lawful.append_audit(text, bigint, jsonb, bigint, bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION lawful.create_request(text, text, text, text, text, text, text[], timestamptz, timestamptz,
                                             timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION lawful.locked_request(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION lawful.approve_request(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION lawful.close_request(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION lawful.preserve(bigint, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION lawful.calls_of(text, timestamptz, timestamptz, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION lawful.lookup(bigint, text, timestamptz, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION lawful.record_export(bigint, text, text, bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION lawful.subject_export(text) FROM PUBLIC;

-- Ingest logins create the day's partition and count new calls without rights of their own on
-- the schema or the statistics: both run as their owner.
ALTER FUNCTION cdr.ensure_partition(date) SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
REVOKE ALL ON FUNCTION cdr.ensure_partition(date) FROM PUBLIC;
ALTER FUNCTION stats.count_new_calls() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
