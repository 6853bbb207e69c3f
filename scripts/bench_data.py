#!/usr/bin/env python3
"""Deterministic upload files for scripts/bench: N rows as CSV, JSON lines (the same rows) and gzip CSV,
N cards as a Lead card file and as a native CSV of the same cards, the same kind of rows keyed by UUIDs,
and a store's worth of valid UUID-keyed cards.

    python3 scripts/bench_data.py --rows 1000000 [--store-rows 5000000] --out Benchmarks/data

writes cards-<N>.csv, cards-<N>.jsonl, cards-<N>.csv.gz and cards-<N>.manifest.json (the counts a
correct loader reports for a first load and for a replay), lead-<N>.csv, lead-<N>.native.csv and
lead-<N>.manifest.json (see generate_lead), the same three for lead-uuid-<N> (the same cards keyed by random
UUIDs), uuid-<N>.csv and uuid-<N>.manifest.json (see
generate_uuid), and with --store-rows M also store-uuid-<M>.csv and store-uuid-<M>.manifest.json (see
generate_store). The same N always gives the same bytes; each kind of file draws from its own random
stream, so adding a kind leaves the others' bytes as they were.

Most rows are good: employee cards of a few dozen entities, with 2-5 metadata keys (cost centre,
department, employee name, region, sometimes a free-text note with commas, quotes, a line break or
accents). About 1 row in 50 is wrong, each in one of the ways listed in WRONG below; about 1 in 2,000
repeats an earlier row exactly (a resent row: `replayed`, not wrong).
"""
import argparse, calendar, csv, hashlib, json, os, random, subprocess, sys, time, uuid

SEED = 20240601
COLUMNS = ["external_id", "account_id", "entity_id", "type", "details.last_four",
           "details.replacement_for", "metadata.cost_center", "metadata.department",
           "metadata.employee", "metadata.region", "metadata.note"]

COMPANIES = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell",
             "cyberdyne", "soylent", "aperture", "massive_dynamic", "vandelay", "pied_piper",
             "dunder_mifflin", "gringotts", "oceanic", "monarch", "black_mesa"]
SUFFIXES = ["", "_uk", "_de", "_fr", "_us", "_emea", "_apac"]
DEPARTMENTS = ["finance", "sales", "ops", "hr", "it", "legal", "marketing", "support", "rnd", "travel"]
REGIONS = ["EMEA", "NA", "LATAM", "APAC", "DACH", "Nordics", "UK&I"]
FIRST = ["Anna", "Ben", "Chloé", "David", "Elif", "François", "Grace", "Hiro", "Ingrid", "José",
         "Kofi", "Lena", "Mateo", "Nadia", "Oliver", "Priya", "Quentin", "Rosa", "Søren", "Zoë"]
LAST = ["Smith", "Müller", "García", "Rossi", "Nguyen", "Kowalski", "O'Brien", "Dubois", "Yılmaz",
        "Andersson", "Tanaka", "Silva", "Novák", "Jensen", "Okafor", "Ivanova", "Kim", "Byrne"]
NOTES = ["travel, accommodation and meals", "conference budget \"Q3\"", "contractor until end of year",
         "line one\nline two", "temporary card — replace when plastic arrives", "team lunch; max 50/month",
         "approved by J. Doe", "café & snacks"]

# The ways a row is wrong; each changes a good row (a dict of column -> value) in place.
WRONG = ["missing_external_id", "external_id_card_prefix", "external_id_leading_space",
         "external_id_too_long", "external_id_control_char", "bad_account_id", "bad_entity_id",
         "bad_type", "physical_type", "bad_last_four", "missing_last_four", "unknown_replacement",
         "pan_in_metadata", "metadata_too_long", "idempotency_conflict", "malformed_record"]


def luhn_number(rng, length=16):
    """A card number that passes the Luhn check, starting with 4 or 5."""
    digits = [rng.choice((4, 5))] + [rng.randrange(10) for _ in range(length - 2)]
    total = 0
    for i, d in enumerate(reversed(digits)):  # the check digit will be at position 0
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    digits.append((10 - total % 10) % 10)
    s = "".join(map(str, digits))
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


# Each entity numbers its employees its own way (never 13+ digits in a row: that would be a card number).
SEQUENTIAL_STYLES = ["EMP-{:07d}", "emp{:08d}", "HR-2024-{:07d}", "{}-staff", "ext_{:x}"]


def sequential_key(rng, index, e):
    """cards-<N>'s external_id: the row number in the entity's style; draws nothing from rng."""
    return SEQUENTIAL_STYLES[e % len(SEQUENTIAL_STYLES)].format(index + 1)


def uuid_key(rng, index, e):
    """A client's external_id as real clients send it: a random UUID (canonical, lower case), from rng."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


UUID_SEED = SEED + 17  # uuid-<N>: its own stream, so cards-<N> and lead-<N> keep their bytes
STORE_SEED = SEED + 18  # store-uuid-<M>: another stream, so its keys and uuid-<N>'s are disjoint


def generate(rows, out_dir, prefix="cards", seed=SEED, key=sequential_key, wrong=True, jsonl=True, gz=True):
    """The rows of <prefix>-<N>.csv (and, with jsonl and gz, .jsonl and .csv.gz) and their manifest.

    key(rng, row index, entity index) makes each row's external_id. With wrong=False no row is wrong or
    resent: every row creates a card. The defaults write cards-<N>; the random draws of the defaults are
    exactly those of the first version of this generator, so cards-<N> keeps its bytes.
    """
    rng = random.Random(seed)
    entities = ["entity_" + c + s for c in COMPANIES for s in SUFFIXES[: 1 + (len(c) % len(SUFFIXES))]]
    base = os.path.join(out_dir, f"{prefix}-{rows}")
    counts = {"rows": rows, "created": 0, "replayed": 0, "rejected": 0}
    wrong_counts = {w: 0 for w in WRONG}
    last_good = None  # (row dict) the latest good row: for resent rows and conflicts
    with open(base + ".csv", "w", newline="", encoding="utf-8") as csv_file, \
            open(base + ".jsonl" if jsonl else os.devnull, "w", encoding="utf-8") as json_file:
        writer = csv.writer(csv_file, lineterminator="\n")
        writer.writerow(COLUMNS)
        for i in range(rows):
            e = rng.randrange(len(entities))
            entity = entities[e]
            row = {
                "external_id": key(rng, i, e),
                "account_id": f"account_{rng.choice(DEPARTMENTS)}_{rng.randrange(1, 40):02d}",
                "entity_id": entity,
                "type": "virtual" if rng.random() < 0.7 else "",
                "details.last_four": f"{rng.randrange(10000):04d}",
                "details.replacement_for": "",
                "metadata.cost_center": f"CC-{rng.randrange(100, 9999)}" if rng.random() < 0.9 else "",
                "metadata.department": rng.choice(DEPARTMENTS) if rng.random() < 0.8 else "",
                "metadata.employee": f"{rng.choice(FIRST)} {rng.choice(LAST)}" if rng.random() < 0.6 else "",
                "metadata.region": rng.choice(REGIONS) if rng.random() < 0.5 else "",
                "metadata.note": rng.choice(NOTES) if rng.random() < 0.1 else "",
            }
            malformed = False
            roll = rng.random()
            if not wrong:
                counts["created"] += 1
            elif roll < 0.02:
                kind = WRONG[rng.randrange(len(WRONG))]
                if kind == "idempotency_conflict" and last_good is None:
                    kind = "bad_last_four"
                wrong_counts[kind] += 1
                counts["rejected"] += 1
                if kind == "missing_external_id":
                    row["external_id"] = ""
                elif kind == "external_id_card_prefix":
                    row["external_id"] = "card_" + row["external_id"]
                elif kind == "external_id_leading_space":
                    row["external_id"] = " " + row["external_id"]
                elif kind == "external_id_too_long":
                    row["external_id"] = row["external_id"] + "x" * 250
                elif kind == "external_id_control_char":
                    row["external_id"] = row["external_id"] + "\x07"
                elif kind == "bad_account_id":
                    row["account_id"] = "acct-" + row["account_id"][8:]
                elif kind == "bad_entity_id":
                    row["entity_id"] = entity.replace("_", " ", 1)
                elif kind == "bad_type":
                    row["type"] = rng.choice(["plastic", "Virtual", "debit"])
                elif kind == "physical_type":
                    row["type"] = "physical"
                elif kind == "bad_last_four":
                    row["details.last_four"] = rng.choice(["42", "12345", "12a4", "٠١٢٣"])
                elif kind == "missing_last_four":
                    row["details.last_four"] = ""
                elif kind == "unknown_replacement":
                    row["details.replacement_for"] = "card_" + "".join(
                        rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(20))
                elif kind == "pan_in_metadata":
                    row["metadata.note"] = "paid with " + luhn_number(rng)
                elif kind == "metadata_too_long":
                    row["metadata.note"] = "lorem ipsum " * 42  # 504 characters
                elif kind == "idempotency_conflict":
                    row = dict(last_good)
                    row["details.last_four"] = "%04d" % ((int(row["details.last_four"]) + 1) % 10000)
                elif kind == "malformed_record":
                    malformed = True
            elif roll < 0.0205 and last_good is not None:
                row = dict(last_good)  # resent: same key, same body
                counts["replayed"] += 1
            else:
                counts["created"] += 1
                last_good = row
            cells = [row[c] for c in COLUMNS]
            writer.writerow(cells + ["extra"] if malformed else cells)
            if jsonl:
                json_file.write(json_line(row, malformed))
    if gz:
        subprocess.run(f"gzip -n -6 -c '{base}.csv' > '{base}.csv.gz.tmp' && mv '{base}.csv.gz.tmp' '{base}.csv.gz'",
                       shell=True, check=True)
    manifest = {
        "rows": rows, "seed": seed, "generator": generator_digest(),
        "first_load": counts,
        "replay": {"rows": rows, "created": 0, "replayed": counts["created"] + counts["replayed"],
                   "rejected": counts["rejected"]},
        "wrong": wrong_counts,
    }
    with open(base + ".manifest.json", "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


def json_line(row, malformed):
    """The row as an API-shaped JSON object; absent (empty) cells are left out."""
    obj = {}
    details, metadata = {}, {}
    for column in COLUMNS:
        value = row[column]
        if value == "":
            continue
        if column.startswith("details."):
            details[column[8:]] = value
        elif column.startswith("metadata."):
            metadata[column[9:]] = value
        else:
            obj[column] = value
    if details:
        obj["details"] = details
    if metadata:
        obj["metadata"] = metadata
    text = json.dumps(obj, ensure_ascii=False)
    if malformed:
        text = text[:-1] + ', }'  # a trailing comma: malformed_record, as the CSV row's extra field
    return text + "\n"


LEAD_SEED = SEED + 9  # its own stream: adding the Lead files left the cards-<N> files as they were
LEAD_COLUMNS = ["client_card_id", "account_id", "entity_id", "client_card_product_name", "is_virtual",
                "card_type", "created_at", "card_status", "activated_at", "expiry_date", "closed_at",
                "closed_reason", "replaced_by", "generated_at"]
LEAD_NATIVE_COLUMNS = ["external_id", "account_id", "entity_id", "details.last_four",
                       "metadata.card_product_name", "metadata.card_type"]
LEAD_GENERATED_AT = "2026-12-05"
LEAD_NOW = 1796428800  # 2026-12-05T00:00:00Z: no card is created, activated or closed after it
LEAD_CARD_TYPES = ["hsa", "fsa", "consumer", "commercial"]
LEAD_PRODUCTS = {"hsa": ["HSA Debit", "HSA Health Card"], "fsa": ["FSA Debit", "FSA Benefits"],
                 "consumer": ["Everyday", "Everyday Plus", "Rewards Café"],
                 "commercial": ["Commercial", "Commercial Travel & Expenses", "Fleet"]}
LEAD_REASONS = ["Card reported lost by cardholder", "Card reported stolen", "Employee left the company",
                "Card damaged, reissued", "Suspected fraud: blocked by ops", "Account closed at client's request",
                "Cardholder deceased", "Program ended"]
LEAD_OFFSETS = ["-08:00", "-05:00", "-04:00", "-03:00", "+00:00", "+01:00", "+02:00", "+05:30", "+09:00"]
# How each client numbers its cards (never 13+ digits in a row: that would be a card number).
LEAD_ID_STYLES = ["lc-{:07d}", "{:08d}-hsa", "CARD{:09d}", "emp-{:07d}-v2", "ld_{:x}", "{}.crd"]


def lead_date_time(rng, instant):
    """instant (Unix seconds, UTC) written one of the ways Lead's files write it."""
    r = rng.random()
    if r < 0.45:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(instant))
    if r < 0.60:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(instant)) + ".%03dZ" % rng.randrange(1000)
    if r < 0.85:
        offset = rng.choice(LEAD_OFFSETS)
        seconds = (-1 if offset[0] == "-" else 1) * (int(offset[1:3]) * 3600 + int(offset[4:6]) * 60)
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(instant + seconds)) + offset
    if r < 0.95:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(instant))  # no zone: read as UTC
    return time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(instant - instant % 60))


def lead_expiry(activated):
    """The last day of the month three years after activation (never before it)."""
    t = time.gmtime(activated)
    year, month = t.tm_year + 3, t.tm_mon
    return "%04d-%02d-%02d" % (year, month, calendar.monthrange(year, month)[1])


def lead_uuid(index, e):
    """lead-uuid-<N>'s client_card_id of card `index`: a random-looking UUID, the same for the same card (a
    digest of its index, so the card generator's random stream is the one lead-<N> uses)."""
    digest = hashlib.blake2b(f"{LEAD_SEED}-{index}".encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def generate_lead(rows, out_dir, prefix="lead", card_id=None):
    """N Lead cards, every one valid: a first load creates all N, atomic or --partial.

    Cards of the same entities as cards-<N>: about 78% active, 8% inactive, 11% closed (with closed_at
    and closed_reason), 2% expired; 1 in 5 physical (is_virtual false); about 1% are closed cards whose
    replaced_by names a card further down the file (a forward reference: the replacement, same entity,
    account and product, created after the closure). Date-times in Lead's spellings: Z, milliseconds,
    +hh:mm offsets, a space and no zone, no seconds. lead-<N>.native.csv holds the same cards as a
    native upload: external_id = client_card_id, the same account_id and entity_id (account_/entity_
    ids, which both kinds of file accept), a details.last_four (which Lead's file does not carry), and
    the product name and card type as metadata; native files have no physical cards, no statuses and
    no dates, so those stay in the Lead file only.

    With prefix "lead-uuid" and card_id `lead_uuid`: the same cards keyed by random UUIDs (real clients'
    ids), for the Lead runs of random ids.
    """
    rng = random.Random(LEAD_SEED)
    entities = [(c, "entity_" + c + s) for c in COMPANIES for s in SUFFIXES[: 1 + (len(c) % len(SUFFIXES))]]
    base = os.path.join(out_dir, f"{prefix}-{rows}")
    counts = {"active": 0, "inactive": 0, "closed": 0, "expired": 0, "physical": 0,
              "forward_references": 0}
    pending = {}  # row index -> the card it replaces (entity, account, product, card type, is_virtual, closed_at)

    def styled_id(index, e):
        return LEAD_ID_STYLES[e % len(LEAD_ID_STYLES)].format(index + 1)

    card_id = card_id or styled_id

    with open(base + ".csv", "w", newline="", encoding="utf-8") as lead_file, \
            open(base + ".native.csv", "w", newline="", encoding="utf-8") as native_file:
        lead = csv.writer(lead_file, delimiter="|", lineterminator="\n")
        native = csv.writer(native_file, lineterminator="\n")
        lead.writerow(LEAD_COLUMNS)
        native.writerow(LEAD_NATIVE_COLUMNS)
        for i in range(rows):
            replaced = pending.pop(i, None)
            if replaced is not None:  # the replacement of a card closed earlier in the file
                e, account, product, card_type, virtual, after = replaced
                created = after + rng.randrange(60, 86400)
                status = "active" if rng.random() < 0.95 else "inactive"
            else:
                e = rng.randrange(len(entities))
                company = entities[e][0]
                account = f"account_{company}_{rng.randrange(1, 250000):06d}"
                card_type = rng.choice(LEAD_CARD_TYPES)
                product = company.replace("_", " ").title() + " " + rng.choice(LEAD_PRODUCTS[card_type])
                virtual = rng.random() < 0.8
                roll = rng.random()
                status = ("active" if roll < 0.78 else "inactive" if roll < 0.86 else
                          "closed" if roll < 0.97 else "expired")
                if status == "expired":  # created 2019-2022, expired three years on
                    created = 1546300800 + rng.randrange(4 * 365 * 86400)
                else:  # created 2021 to 2026-12-01
                    created = 1609459200 + rng.randrange(LEAD_NOW - 4 * 86400 - 1609459200)
            # A spelling may move an instant by up to a minute (no seconds) or a second (a fraction): an
            # activation that is not the creation itself comes two minutes or more after it.
            activated = created + (0 if rng.random() < 0.6 else rng.randrange(120, 7 * 86400))
            activated = max(created, min(activated, LEAD_NOW - 3 * 86400))
            closed_at = closed_reason = replaced_by = ""
            if status == "closed":
                closed = activated + 120 + rng.randrange(max(1, LEAD_NOW - 3 * 86400 - activated))
                closed_at = lead_date_time(rng, closed)
                closed_reason = rng.choice(LEAD_REASONS)
                # About 1 card in 100 (1 closed card in 11) is replaced by a card later in the file.
                if replaced is None and rng.random() < 0.09 and i + 1 < rows:
                    j = i + 1 + rng.randrange(min(rows - i - 1, 50000))
                    while j in pending and j + 1 < rows:
                        j += 1
                    if j not in pending:
                        pending[j] = (e, account, product, card_type, virtual, closed)
                        replaced_by = card_id(j, e)
                        counts["forward_references"] += 1
            counts[status] += 1
            counts["physical"] += not virtual
            external_id = card_id(i, e)
            created_at = lead_date_time(rng, created)
            activated_at = created_at if activated == created else lead_date_time(rng, activated)
            lead.writerow([external_id, account, entities[e][1], product, "true" if virtual else "false",
                           card_type, created_at, status, activated_at,
                           lead_expiry(activated), closed_at, closed_reason, replaced_by, LEAD_GENERATED_AT])
            native.writerow([external_id, account, entities[e][1], f"{rng.randrange(10000):04d}",
                             product, card_type])
    if pending:
        raise AssertionError(f"forward references left without their card: {sorted(pending)[:5]}")
    first_load = {"rows": rows, "created": rows, "replayed": 0, "rejected": 0}
    manifest = {"rows": rows, "seed": LEAD_SEED, "generator": generator_digest(),
                "first_load": first_load, "cards": counts}
    with open(base + ".manifest.json", "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


def generate_uuid(rows, out_dir):
    """uuid-<N>.csv: rows made as cards-<N>'s are (the same mix of wrong rows, resent rows and metadata),
    but keyed as real clients key their cards, by UUIDs; from its own random stream (UUID_SEED), so its
    rows are not cards-<N>'s rows. CSV only, with its manifest (first load and replay counts)."""
    return generate(rows, out_dir, prefix="uuid", seed=UUID_SEED, key=uuid_key, jsonl=False, gz=False)


def generate_store(rows, out_dir):
    """store-uuid-<M>.csv: M valid native rows keyed by UUIDs, a client's portfolio already in the store
    before a load. Every row creates a card (no wrong or resent row). Its own random stream
    (STORE_SEED): its keys are disjoint from uuid-<N>'s (a collision of random UUIDs would show in the
    load's counts as a row not created)."""
    return generate(rows, out_dir, prefix="store-uuid", seed=STORE_SEED, key=uuid_key, wrong=False,
                    jsonl=False, gz=False)


def generator_digest():
    with open(__file__, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def ensure_files(base, extensions, make):
    """make() unless base + every extension exist and base.manifest.json is from this very generator;
    returns the manifest."""
    try:
        with open(base + ".manifest.json") as f:
            manifest = json.load(f)
        if manifest.get("generator") == generator_digest() and all(
                os.path.exists(base + ext) for ext in extensions):
            return manifest
    except (OSError, ValueError):
        pass
    return make()


def ensure(rows, out_dir):
    """Generates the cards files unless they exist from this very generator; returns the manifest."""
    os.makedirs(out_dir, exist_ok=True)
    return ensure_files(os.path.join(out_dir, f"cards-{rows}"), (".csv", ".jsonl", ".csv.gz"),
                        lambda: generate(rows, out_dir))


def ensure_lead(rows, out_dir):
    """Generates the Lead files unless they exist from this very generator; returns their manifest."""
    os.makedirs(out_dir, exist_ok=True)
    return ensure_files(os.path.join(out_dir, f"lead-{rows}"), (".csv", ".native.csv"),
                        lambda: generate_lead(rows, out_dir))


def ensure_lead_uuid(rows, out_dir):
    """Generates the Lead files of UUID ids unless they exist from this very generator; returns their manifest."""
    os.makedirs(out_dir, exist_ok=True)
    return ensure_files(os.path.join(out_dir, f"lead-uuid-{rows}"), (".csv", ".native.csv"),
                        lambda: generate_lead(rows, out_dir, prefix="lead-uuid", card_id=lead_uuid))


def ensure_uuid(rows, out_dir):
    """Generates uuid-<N>.csv unless it exists from this very generator; returns its manifest."""
    os.makedirs(out_dir, exist_ok=True)
    return ensure_files(os.path.join(out_dir, f"uuid-{rows}"), (".csv",), lambda: generate_uuid(rows, out_dir))


def ensure_store(rows, out_dir):
    """Generates store-uuid-<M>.csv unless it exists from this very generator; returns its manifest."""
    os.makedirs(out_dir, exist_ok=True)
    return ensure_files(os.path.join(out_dir, f"store-uuid-{rows}"), (".csv",),
                        lambda: generate_store(rows, out_dir))


def paths(rows, out_dir):
    base = os.path.join(out_dir, f"cards-{rows}")
    lead = os.path.join(out_dir, f"lead-{rows}")
    return {"csv": base + ".csv", "jsonl": base + ".jsonl", "gz": base + ".csv.gz",
            "lead": lead + ".csv", "lead_native": lead + ".native.csv",
            "lead_uuid": os.path.join(out_dir, f"lead-uuid-{rows}.csv"),
            "lead_uuid_native": os.path.join(out_dir, f"lead-uuid-{rows}.native.csv"),
            "uuid": os.path.join(out_dir, f"uuid-{rows}.csv")}


def store_path(rows, out_dir):
    return os.path.join(out_dir, f"store-uuid-{rows}.csv")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     usage="scripts/bench_data.py [--rows N] [--store-rows M] [--out DIR]")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--store-rows", type=int, default=None)
    parser.add_argument("--out", default="Benchmarks/data")
    args = parser.parse_args()
    manifests = {"cards": ensure(args.rows, args.out), "lead": ensure_lead(args.rows, args.out),
                 "lead_uuid": ensure_lead_uuid(args.rows, args.out),
                 "uuid": ensure_uuid(args.rows, args.out)}
    if args.store_rows:
        manifests["store"] = ensure_store(args.store_rows, args.out)
    print(json.dumps(manifests, indent=1))
