#!/usr/bin/env python3
"""The fair opponent of scripts/bench: what a good engineer would write instead of card-upload.

    python3 scripts/bench_loader.py --db cards.sqlite FILE.csv[.gz]

Plain `csv` + `sqlite3`: the SPEC §3 field rules as compiled regexes (with the card-number check:
digit runs with single spaces or dashes, 13-19 digits, first digit 2-6, Luhn; masked numbers too),
the same PRAGMAs (WAL, synchronous=FULL, foreign_keys=ON, cache_size -65536), the same tables and
unique indexes as card-upload (Sources/CardUploadStore/Schema.swift), idempotency by a look-up of
(entity_id, external_id) with the body compared (§4), time-ordered card ids, one outcome row per input
row, `executemany` and 100,000-row `BEGIN IMMEDIATE` transactions, a WAL checkpoint at the end.
It prints the counts as JSON on stdout; exit 0 (all good), 1 (rows rejected), 65 (bad header).

It does not do what the benchmark does not need: encodings other than UTF-8, TSV/JSON lines, reports,
rejects files, --on-conflict update, interruption handling.
"""
import argparse, csv, gzip, io, json, os, re, sqlite3, sys, time

BATCH = 100_000

# A copy of migration 0 -> 1 in Sources/CardUploadStore/Schema.swift.
SCHEMA = """
CREATE TABLE uploads (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, file TEXT NOT NULL, format TEXT, delimiter TEXT,
    encoding TEXT, compression TEXT, bytes INTEGER NOT NULL DEFAULT 0, started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'completed_with_errors', 'failed', 'interrupted')),
    committed INTEGER NOT NULL DEFAULT 1, dry_run INTEGER NOT NULL DEFAULT 0,
    rows INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL DEFAULT 0, replayed INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0, rejected INTEGER NOT NULL DEFAULT 0,
    error_code TEXT, error_message TEXT, error_line INTEGER, error_offset INTEGER, owner TEXT
);
CREATE INDEX uploads_by_start ON uploads (started_at);
CREATE TABLE cards (
    id TEXT PRIMARY KEY NOT NULL, external_id TEXT NOT NULL, account_id TEXT NOT NULL, entity_id TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('virtual', 'physical')),
    status TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'closed')),
    status_reason TEXT CHECK (status_reason IS NULL OR status_reason <> ''),
    last_four TEXT NOT NULL, replacement_for TEXT REFERENCES cards (id), replaced_by TEXT REFERENCES cards (id),
    metadata TEXT NOT NULL DEFAULT '{}', upload_seq INTEGER REFERENCES uploads (seq),
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX cards_by_key ON cards (entity_id, external_id);
CREATE UNIQUE INDEX cards_by_replacement ON cards (replacement_for) WHERE replacement_for IS NOT NULL;
CREATE TABLE upload_rows (
    upload_seq INTEGER NOT NULL REFERENCES uploads (seq), line INTEGER NOT NULL, external_id TEXT,
    entity_id TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('created', 'replayed', 'updated', 'rejected')),
    card_id TEXT, errors TEXT, PRIMARY KEY (upload_seq, line)
) WITHOUT ROWID;
PRAGMA user_version = 1;
"""

SETTABLE = {"external_id", "account_id", "entity_id", "type", "details.last_four", "details.replacement_for"}
NOT_SETTABLE = {"id", "status", "status_reason", "replaced_by", "created_at", "updated_at"}
REQUIRED = ["external_id", "account_id", "entity_id", "details.last_four"]

WS = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"  # Unicode White_Space
EXTERNAL_BAD = re.compile(rf"\A[{WS}]|[{WS}]\Z|[\x00-\x1f\x7f-\x9f]|\Acard_")
ACCOUNT = re.compile(r"account_[A-Za-z0-9_]+\Z")
ENTITY = re.compile(rf"entity_[^{WS}]{{1,33}}\Z")
LAST_FOUR = re.compile(r"[0-9]{4}\Z")
CARD_ID = re.compile(r"card_[A-Za-z0-9_]+\Z")
# A run of 13+ digits with single spaces or dashes between, not touching a digit; or a masked number.
PAN_CANDIDATE = re.compile(r"(?<![0-9])[0-9](?:[ -]?[0-9]){12,}(?![0-9])|\*(?:[ -]?\*){3,}[ -]?[0-9]{4}")
NON_DIGIT = re.compile(r"[^0-9]")
LUHN_DOUBLE = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]


def has_card_number(value):
    for match in PAN_CANDIDATE.finditer(value):
        text = match.group()
        if text[0] == "*":
            return True
        digits = NON_DIGIT.sub("", text)
        if not 13 <= len(digits) <= 19 or digits[0] not in "23456":
            continue
        total = 0
        for i, d in enumerate(reversed(digits)):
            total += LUHN_DOUBLE[ord(d) - 48] if i & 1 else ord(d) - 48
        if total % 10 == 0:
            return True
    return False


def error(field, code, message):
    return {"field": field, "code": code, "message": message}


def check_id(field, value, pattern, what, errors):
    if not value:
        errors.append(error(field, "missing_field", f"{field} is required"))
    elif not pattern.match(value):
        errors.append(error(field, "invalid_format", f"{field} must match {what}"))
    elif has_card_number(value):
        errors.append(error(field, "pan_detected", f"{field} holds a card number"))


def validate(cells, index, metadata_columns):
    """SPEC §3 on one record: (errors, request) where request is None when there are errors."""
    errors = []
    external_id = cells[index["external_id"]]
    if not external_id:
        errors.append(error("external_id", "missing_field", "external_id is required"))
    elif len(external_id) > 255:
        errors.append(error("external_id", "too_long", "external_id is longer than 255 characters"))
    elif EXTERNAL_BAD.search(external_id):
        errors.append(error("external_id", "invalid_format",
                            "external_id has control characters, surrounding white space or the card_ prefix"))
    elif has_card_number(external_id):
        errors.append(error("external_id", "pan_detected", "external_id holds a card number"))
    account_id = cells[index["account_id"]]
    check_id("account_id", account_id, ACCOUNT, "^account_\\w+$", errors)
    entity_id = cells[index["entity_id"]]
    check_id("entity_id", entity_id, ENTITY, "^entity_[^\\s]{1,33}$", errors)
    card_type = cells[index["type"]] if "type" in index else ""
    if card_type == "":
        card_type = "virtual"
    elif card_type == "physical":
        errors.append(error("type", "unsupported_card_type", "physical cards are not supported yet"))
    elif card_type != "virtual":
        errors.append(error("type", "invalid_enum", "type must be virtual or physical"))
    last_four = cells[index["details.last_four"]]
    if not last_four:
        errors.append(error("details.last_four", "missing_field", "details.last_four is required"))
    elif not LAST_FOUR.match(last_four):
        errors.append(error("details.last_four", "invalid_format", "details.last_four must be four digits 0-9"))
    replacement_for = cells[index["details.replacement_for"]] if "details.replacement_for" in index else ""
    if replacement_for:
        if not CARD_ID.match(replacement_for):
            errors.append(error("details.replacement_for", "invalid_format", "must match ^card_\\w+$"))
        elif has_card_number(replacement_for):
            errors.append(error("details.replacement_for", "pan_detected", "holds a card number"))
    metadata = {}
    for key, i in metadata_columns:
        value = cells[i]
        if value == "":
            continue
        field = "metadata." + key
        if not 1 <= len(key) <= 40:
            errors.append(error(field, "metadata_limit", "a metadata key has 1 to 40 characters"))
        elif len(value) > 500:
            errors.append(error(field, "metadata_limit", "a metadata value has at most 500 characters"))
        elif has_card_number(key) or has_card_number(value):
            errors.append(error(field, "pan_detected", f"{field} holds a card number"))
        else:
            metadata[key] = value
    if len(metadata) > 50:
        errors.append(error("metadata", "metadata_limit", "at most 50 metadata keys"))
    if errors:
        return errors, None
    metadata_json = json.dumps(metadata, ensure_ascii=False, sort_keys=True, separators=(",", ":")) if metadata else "{}"
    return None, (external_id, account_id, entity_id, card_type, last_four, replacement_for or None, metadata_json)


ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(n, width):
    out = []
    for _ in range(width):
        n, r = divmod(n, 36)
        out.append(ALPHABET[r])
    return "".join(reversed(out))


class CardIDs:
    """card_ + 9 time-ordered characters + 11 random ones: appends to the id index, still unguessable."""

    def __init__(self):
        self.millisecond, self.prefix = -1, ""
        self.noise, self.used = b"", 0

    def next(self):
        millisecond = time.time_ns() // 1_000_000
        if millisecond != self.millisecond:
            self.millisecond, self.prefix = millisecond, "card_" + base36(millisecond, 9)
        if self.used + 11 > len(self.noise):
            self.noise, self.used = os.urandom(11 * 4096), 0
        chunk = self.noise[self.used:self.used + 11]
        self.used += 11
        return self.prefix + "".join([ALPHABET[b % 36] for b in chunk])


def now_text():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % (int(t * 1000) % 1000)


def load(db_path, file_path):
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA cache_size = -65536")
    if db.execute("PRAGMA user_version").fetchone()[0] == 0:
        db.executescript("BEGIN IMMEDIATE;" + SCHEMA + "COMMIT;")
    ids = CardIDs()
    select_key = ("SELECT id, account_id, type, last_four, replacement_for, metadata FROM cards"
                  " WHERE entity_id = ? AND external_id = ?")
    select_replaced = "SELECT entity_id, status, replaced_by FROM cards WHERE id = ?"

    opener = gzip.open if open(file_path, "rb").read(2) == b"\x1f\x8b" else open
    counts = {"rows": 0, "created": 0, "replayed": 0, "updated": 0, "rejected": 0}
    with opener(file_path, "rt", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            print("empty_file", file=sys.stderr)
            return 65, counts
        if header and header[0].startswith("\ufeff"):
            header[0] = header[0][1:]
        bad = [c for c in header if not (c in SETTABLE or c.startswith("metadata.") or c.startswith("_"))]
        missing = [c for c in REQUIRED if c not in header]
        if bad or missing or len(set(header)) != len(header):
            print(f"bad header: unknown {bad}, missing {missing}", file=sys.stderr)
            return 65, counts
        index = {c: i for i, c in enumerate(header) if c in SETTABLE}
        metadata_columns = [(c[9:], i) for i, c in enumerate(header) if c.startswith("metadata.")]
        width = len(header)

        db.execute("BEGIN IMMEDIATE")
        upload_seq = db.execute(
            "INSERT INTO uploads (id, file, format, delimiter, encoding, compression, started_at, status)"
            " VALUES (?, ?, 'csv', ',', 'utf-8', ?, ?, 'running')",
            ("upload_" + ids.next()[5:], file_path, "gzip" if opener is gzip.open else "none", now_text()),
        ).lastrowid
        db.execute("COMMIT")

        last_line = reader.line_num
        done = False
        while not done:
            db.execute("BEGIN IMMEDIATE")
            now = now_text()
            pending = {}  # key -> (card_id, body) of cards created in this batch
            pending_entity = {}  # card_id -> entity_id of cards created in this batch
            replaced_now = set()
            creates, outcomes, replacements = [], [], []
            for _ in range(BATCH):
                cells = next(reader, None)
                if cells is None:
                    done = True
                    break
                line = last_line + 1
                last_line = reader.line_num
                if not cells:
                    continue  # a blank line
                counts["rows"] += 1
                if len(cells) != width:
                    counts["rejected"] += 1
                    outcomes.append((upload_seq, line, None, None, "rejected", None, json.dumps(
                        [error(None, "malformed_record", f"expected {width} fields, found {len(cells)}")])))
                    continue
                errors, request = validate(cells, index, metadata_columns)
                if request is not None:
                    external_id, account_id, entity_id, card_type, last_four, replacement_for, metadata_json = request
                    body = (account_id, card_type, last_four, replacement_for, metadata_json)
                    key = (entity_id, external_id)
                    found = pending.get(key)
                    if found is None:
                        stored = db.execute(select_key, key).fetchone()
                        if stored is not None:
                            found = (stored[0], stored[1:])
                    if found is not None:
                        if found[1] == body:
                            counts["replayed"] += 1
                            outcomes.append((upload_seq, line, external_id, entity_id, "replayed", found[0], None))
                            continue
                        errors = [error(None, "idempotency_conflict",
                                        f"{external_id} was loaded before with a different body")]
                    elif replacement_for is not None:
                        target = db.execute(select_replaced, (replacement_for,)).fetchone()
                        if target is None and replacement_for in pending_entity:
                            target = (pending_entity[replacement_for], "active", None)
                        if target is None or target[0] != entity_id:
                            errors = [error("details.replacement_for", "card_not_found", "no such card in this entity")]
                        elif target[1] != "closed":
                            errors = [error("details.replacement_for", "replaced_card_not_closed", "not closed")]
                        elif target[2] is not None or replacement_for in replaced_now:
                            errors = [error("details.replacement_for", "card_already_replaced", "already replaced")]
                    if errors is None:
                        card_id = ids.next()
                        pending[key] = (card_id, body)
                        pending_entity[card_id] = entity_id
                        creates.append((card_id, external_id, account_id, entity_id, card_type, last_four,
                                        replacement_for, metadata_json, upload_seq, now, now))
                        if replacement_for is not None:
                            replaced_now.add(replacement_for)
                            replacements.append((card_id, now, replacement_for))
                        counts["created"] += 1
                        outcomes.append((upload_seq, line, external_id, entity_id, "created", card_id, None))
                        continue
                counts["rejected"] += 1
                outcomes.append((upload_seq, line, cells[index["external_id"]] or None,
                                 cells[index["entity_id"]] or None, "rejected", None,
                                 json.dumps(errors, ensure_ascii=False)))
            db.executemany(
                "INSERT INTO cards (id, external_id, account_id, entity_id, type, status, status_reason,"
                " last_four, replacement_for, replaced_by, metadata, upload_seq, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, 'active', NULL, ?, ?, NULL, ?, ?, ?, ?)", creates)
            db.executemany("UPDATE cards SET replaced_by = ?, updated_at = ? WHERE id = ?", replacements)
            db.executemany("INSERT INTO upload_rows (upload_seq, line, external_id, entity_id, outcome, card_id,"
                           " errors) VALUES (?, ?, ?, ?, ?, ?, ?)", outcomes)
            db.execute("UPDATE uploads SET rows = ?, created = ?, replayed = ?, updated = ?, rejected = ?"
                       " WHERE seq = ?", (counts["rows"], counts["created"], counts["replayed"],
                                          counts["updated"], counts["rejected"], upload_seq))
            db.execute("COMMIT")
    db.execute("UPDATE uploads SET status = ?, finished_at = ?, bytes = ? WHERE seq = ?",
               ("completed_with_errors" if counts["rejected"] else "completed", now_text(),
                os.path.getsize(file_path), upload_seq))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return (1 if counts["rejected"] else 0), counts


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="a plain csv + sqlite3 card loader (the benchmark's opponent)")
    parser.add_argument("--db", default="cards.sqlite")
    parser.add_argument("file")
    args = parser.parse_args()
    code, counts = load(args.db, args.file)
    print(json.dumps(counts))
    sys.exit(code)
