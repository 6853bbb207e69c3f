#!/usr/bin/env python3
"""Writes samples/cards.csv, its JSON-lines twin samples/cards.jsonl and samples/cards.csv.gz.

Most rows are good; the wrong ones are each wrong in a different way (see the `why` notes).
Run from the repository root: python3 scripts/make-samples.py
"""
import csv, gzip, io, json

COLUMNS = ["external_id", "account_id", "entity_id", "type", "details.last_four",
           "details.replacement_for", "metadata.cost_center", "metadata.note"]

good = [
    ("emp-0001", "account_ops01", "entity_acme", "virtual", "0042", "", "CC-100", ""),
    ("emp-0002", "account_ops01", "entity_acme", "", "1234", "", "CC-100", "travel"),
    ("emp-0003", "account_ops02", "entity_acme", "virtual", "9876", "", "CC-200", ""),
    ("emp-0004", "account_ops02", "entity_acme", "virtual", "0000", "", "", ""),
    ("emp-0005", "account_fin_01", "entity_acme", "virtual", "5555", "", "CC-300", "line one\nline two"),
    ("emp-0006", "account_fin_01", "entity_acme", "virtual", "1111", "", "CC-300", "quotes \"inside\", and a comma"),
    ("emp-0007", "account_fin_02", "entity_acme", "virtual", "2222", "", "CC-300", ""),
    ("emp-0008", "account_fin_02", "entity_acme", "virtual", "3333", "", "", "café ☕"),
    ("emp-0009", "account_hr", "entity_globex", "virtual", "4444", "", "HR-1", ""),
    ("emp-0010", "account_hr", "entity_globex", "virtual", "6666", "", "HR-1", ""),
    ("emp-0011", "account_hr", "entity_globex", "virtual", "7777", "", "HR-2", ""),
    ("emp-0012", "account_sales", "entity_globex", "virtual", "8888", "", "S-9", ""),
    ("emp-0013", "account_sales", "entity_globex", "virtual", "9999", "", "S-9", "remote"),
    ("emp-0014", "account_sales", "entity_globex", "virtual", "1010", "", "", ""),
    ("emp-0015", "account_it", "entity_initech", "virtual", "2020", "", "IT-7", ""),
    ("emp-0016", "account_it", "entity_initech", "virtual", "3030", "", "IT-7", ""),
    ("emp-0017", "account_it", "entity_initech", "virtual", "4040", "", "IT-8", ""),
    ("emp-0018", "account_it", "entity_initech", "virtual", "5050", "", "IT-8", ""),
    ("emp-0019", "account_legal", "entity_initech", "virtual", "6060", "", "L-1", ""),
    ("emp-0020", "account_legal", "entity_initech", "virtual", "7070", "", "L-1", ""),
    ("emp-0021", "account_legal", "entity_initech", "virtual", "8080", "", "", ""),
    ("emp-0022", "account_legal", "entity_initech", "virtual", "9090", "", "L-2", ""),
]
wrong = [
    # (row, why)
    (("", "account_ops01", "entity_acme", "virtual", "0101", "", "", ""), "missing_field: external_id"),
    (("card_import_7", "account_ops01", "entity_acme", "virtual", "0102", "", "", ""), "invalid_format: external_id starts with card_"),
    ((" emp-0103", "account_ops01", "entity_acme", "virtual", "0103", "", "", ""), "invalid_format: leading space"),
    (("emp-0104", "acct-104", "entity_acme", "virtual", "0104", "", "", ""), "invalid_format: account_id"),
    (("emp-0105", "account_ops01", "entity acme", "virtual", "0105", "", "", ""), "invalid_format: entity_id has a space"),
    (("emp-0106", "account_ops01", "entity_acme", "plastic", "0106", "", "", ""), "invalid_enum: type"),
    (("emp-0107", "account_ops01", "entity_acme", "physical", "0107", "", "", ""), "unsupported_card_type"),
    (("emp-0108", "account_ops01", "entity_acme", "virtual", "42", "", "", ""), "invalid_format: last_four"),
    (("emp-0109", "account_ops01", "entity_acme", "virtual", "", "", "", ""), "missing_field: last_four"),
    (("emp-0110", "account_ops01", "entity_acme", "virtual", "0110", "card_doesnotexist", "", ""), "card_not_found"),
    (("emp-0111", "account_ops01", "entity_acme", "virtual", "0111", "", "", "paid with 4111 1111 1111 1111"), "pan_detected"),
    (("emp-0112", "account_ops01", "entity_acme", "virtual", "0112", "", "x" * 501, ""), "metadata_limit"),
    (("emp-0001", "account_ops01", "entity_acme", "virtual", "0042", "", "CC-100", ""), "replayed: same key, same body"),
    (("emp-0002", "account_ops01", "entity_acme", "virtual", "9999", "", "CC-100", "travel"), "idempotency_conflict"),
]

rows = good[:12] + [r for r, _ in wrong[:7]] + good[12:] + [r for r, _ in wrong[7:]]

def to_json(row):
    obj = {}
    for name, value in zip(COLUMNS, row):
        if value == "":
            continue
        if name.startswith("details."):
            obj.setdefault("details", {})[name[8:]] = value
        elif name.startswith("metadata."):
            obj.setdefault("metadata", {})[name[9:]] = value
        else:
            obj[name] = value
    return json.dumps(obj, ensure_ascii=False)

text = io.StringIO()
writer = csv.writer(text, lineterminator="\n")
writer.writerow(COLUMNS)
lines = [to_json(r) for r in rows]
for row in rows:
    writer.writerow(row)
# One record that cannot be read: the wrong number of fields / not a JSON object.
text.write("emp-0113,account_ops01,entity_acme,virtual\n")
lines.append('["emp-0113", "account_ops01"]')

open("samples/cards.csv", "w", encoding="utf-8", newline="").write(text.getvalue())
open("samples/cards.jsonl", "w", encoding="utf-8").write("\n".join(lines) + "\n")
with open("samples/cards.csv", "rb") as source, gzip.GzipFile("samples/cards.csv.gz", "wb", mtime=0) as target:
    target.write(source.read())
