#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora: Tests/FuzzCorpus/{csv,jsonl,rules}/.

Seeds come from the repository only (so a fresh clone has them): the CSV and JSON-lines samples, the
csv-spectrum and JSONTestSuite fixtures of the parsing tests, and hand-made hostile inputs. Each seed
starts with the control bytes its target reads first (see Sources/Fuzz*/): fuzz-csv two (options,
chunk size), fuzz-jsonl one (chunk size); fuzz-rules cuts its input at 0xFF bytes into segments.

Run from the repository root: python3 scripts/make-fuzz-corpus.py (it replaces the folders' contents).
"""
import json, os

ROOT = "Tests/FuzzCorpus"
FIXTURES = "Tests/CardUploadParsingTests/Fixtures"
LARGEST_SEED = 4096  # bytes; a larger fixture is cut (libFuzzer's -max_len in scripts/fuzz)


def write(folder, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    path = os.path.join(ROOT, folder, name)
    with open(path, "wb") as f:
        f.write(data[:LARGEST_SEED])


def read(path):
    with open(path, "rb") as f:
        return f.read()


HEADER = "external_id,account_id,entity_id,type,details.last_four,details.replacement_for,metadata.cost_center,metadata.note"


def csv_seeds():
    # Options byte: bits 0-2 delimiter (0 sniff, 1 ',', 2 ';', 3 '|', 4 tab, 5 space, 6 'a', 7 apostrophe),
    # bits 3-4 encoding (0 utf-8, 1 latin1, 2 cp1252), bit 5 --entity, bit 6 a small record limit.
    # Chunk byte: 1 + b % 67 bytes per chunk, or (high bit) 1 + (b & 0x7F) * 61.
    sample = read("samples/cards.csv")
    for options, chunk, name in [(0x00, 0x02, "sniff"), (0x01, 0x80, "comma"), (0x21, 0x05, "entity"),
                                 (0x08, 0x10, "latin1"), (0x10, 0x03, "cp1252"), (0x40, 0x40, "small-limit")]:
        write("csv", f"sample-{name}", bytes([options, chunk]) + sample)
    spectrum = os.path.join(FIXTURES, "csv-spectrum", "csvs")
    for name in sorted(os.listdir(spectrum)):
        write("csv", "spectrum-" + name, bytes([0x00, 0x01]) + read(os.path.join(spectrum, name)))
    hostile = {
        "bom-crlf": (0x00, 0x01, b"\xef\xbb\xbf" + HEADER.encode() + b"\r\ne1,account_a,entity_e,,0042,,,\r\n"),
        "lone-cr": (0x00, 0x02, (HEADER + "\re1,account_a,entity_e,,0042,,,\re2,account_a,entity_e,,0043,,,").encode()),
        "empty-lines": (0x00, 0x03, ("\n\r\n\r" + HEADER + "\n\n\ne1,account_a,entity_e,,0042,,,\n\n").encode()),
        "quoted-breaks": (0x01, 0x04, (HEADER + '\n"e\r\n1","account_a","entity_e",,"0042",,"a""b","x\ry\nz"\n').encode()),
        "open-quote": (0x01, 0x05, (HEADER + '\ne1,account_a,entity_e,,0042,,,"never closed\n').encode()),
        "open-quote-header": (0x00, 0x06, b'"external_id,account_id\n'),
        "nul": (0x01, 0x07, HEADER.encode() + b"\ne1,account_a,entity_e,,00\x0042,,,\n"),
        "nul-header": (0x00, 0x08, b"external_id\x00,account_id,entity_id,details.last_four\n"),
        "wrong-count": (0x01, 0x09, (HEADER + "\ne1,account_a\ne2,account_a,entity_e,,0042,,,,,\n").encode()),
        "invalid-utf8": (0x01, 0x0A, HEADER.encode() + b"\ne1,account_a,entity_e,,0042,,\xc3\x28,\xed\xa0\x80\n"),
        "cp1252-undefined": (0x11, 0x0B, HEADER.encode() + b"\ne1,account_a,entity_e,,0042,,\x80\x81\x8d\x8f\x90\x9d,\x9f\n"),
        "latin1": (0x09, 0x0C, HEADER.encode() + b"\ne1,account_a,entity_e,,0042,,caf\xe9,\xff\n"),
        "lenient-quotes": (0x01, 0x0D, (HEADER + '\n"e"1,acc"ount,"entity_e"x,,0042,,a"b"c,""""\n').encode()),
        "semicolons": (0x00, 0x0E, (HEADER.replace(",", ";") + "\ne1;account_a;entity_e;;0042;;;\n").encode()),
        "tabs": (0x00, 0x0F, (HEADER.replace(",", "\t") + "\ne1\taccount_a\tentity_e\t\t0042\t\t\t\n").encode()),
        "pipes-quoted": (0x00, 0x10, ('"a|b",' + HEADER.replace(",", "|") + "\ne|a|n||0042|||\n").encode()),
        "bad-header": (0x01, 0x11, b"external_id,external_id,status,id,nope,_note,metadata.\nx,x,x,x,x,x,x\n"),
        "missing-entity-with-default": (0x21, 0x12, b"external_id,account_id,details.last_four\ne1,account_a,0042\n"),
        "annotated-rejects": (0x01, 0x13, (HEADER + ",_line,_errors,_raw\n'=1+2,'+x,''=y,'-1,'@SUM,\"'\tx\",\"'\rx\",'''=z,2,\"details.last_four: bad\",\n").encode()),
        "card-numbers": (0x01, 0x14, (HEADER + "\n4111 1111 1111 1111,account_4111111111111111,entity_4111-1111-1111-1111,,1111,card_4111111111111111,PAN4111111111111111,**** **** **** 1111\n").encode()),
        "long-field": (0x01, 0x15, (HEADER + "\ne1,account_a,entity_e,,0042,,," + "x" * 3000 + "\n").encode()),
        "header-only": (0x00, 0x16, HEADER.encode()),
        "empty": (0x00, 0x17, b""),
        "no-final-newline": (0x01, 0x18, (HEADER + "\ne1,account_a,entity_e,,0042,,,").encode()),
        "delimiter-at-end": (0x01, 0x19, (HEADER + ",\ne1,account_a,entity_e,,0042,,,,").encode()),
    }
    for name, (options, chunk, body) in hostile.items():
        write("csv", "hostile-" + name, bytes([options, chunk]) + body)


def jsonl_seeds():
    sample = read("samples/cards.jsonl")
    write("jsonl", "sample-whole", bytes([0x80]) + sample)
    for index, line in enumerate(sample.split(b"\n")[:12]):
        write("jsonl", f"sample-line-{index:02}", bytes([index % 67]) + line + b"\n")
    suite = os.path.join(FIXTURES, "JSONTestSuite", "test_parsing")
    for name in sorted(os.listdir(suite)):
        write("jsonl", "suite-" + name, bytes([0x03]) + read(os.path.join(suite, name)))
    card = {"external_id": "e1", "account_id": "account_a", "entity_id": "entity_e", "type": "virtual",
            "details": {"last_four": "0042", "replacement_for": "card_x"}, "metadata": {"k": "v"}}
    line = json.dumps(card)
    hostile = {
        "bom-crlf": b"\xef\xbb\xbf" + line.encode() + b"\r\n" + line.encode() + b"\r\n",
        "blank-lines": b"\n  \n\t\r\n" + line.encode() + b"\n\n",
        "u2028": json.dumps({"external_id": "a\u2028b", "account_id": "account_a"}, ensure_ascii=False).encode() + b"\n",
        "escapes": b'{"external_id":"\\u0034111 1111 1111 1111","account_id":"\\ud83d\\ude00","metadata":{"\\u0000":"\\/"}}\n',
        "lone-surrogate": b'{"external_id":"\\ud800"}\n{"external_id":"\\udc00x"}\n',
        "duplicate-key": b'{"external_id":"a","external_id":"b"}\n{"metadata":{"k":1,"k":2}}\n',
        "many-keys": ("{" + ",".join(f'"k{i}":{i}' for i in range(20)) + ',"k3":0}\n').encode(),
        "depth-64": b"[" * 63 + b"{}" + b"]" * 63 + b"\n" + b"[" * 64 + b"0" + b"]" * 64 + b"\n",
        "trailing-comma": b'{"a":1,}\n[1,]\n{"a":1}x\n',
        "wrong-types": b'{"external_id":42,"account_id":true,"entity_id":[],"type":{},"details":"x","metadata":[1]}\n'
                       b'{"details":{"last_four":42,"replacement_for":null,"extra":1},"metadata":{"a":null,"b":"","c":{}}}\n',
        "annotations-and-system": b'{"_line":3,"_errors":[],"id":"card_1","status":"active","created_at":"x","bogus":1,"\xc3\xa9":2}\n',
        "numbers": b'[-0,0.5e-3,1E+2,-12.5e10,123456789012345678901234567890]\n{"n":01}\n{"n":1.}\n{"n":-}\n',
        "not-objects": b'[]\n"text"\n42\nnull\ntrue\n',
        "invalid-utf8": b'{"external_id":"\xc3\x28"}\n{"external_id":"\xed\xa0\x80"}\n{"external_id":"\xf4\x90\x80\x80"}\n',
        "no-final-newline": line.encode(),
        "card-numbers": json.dumps({"external_id": "4111 1111 1111 1111", "account_id": "account_4111111111111111",
                                    "metadata": {"4111-1111-1111-1111": "**** **** **** 1111"}}).encode() + b"\n",
    }
    for name, body in hostile.items():
        write("jsonl", "hostile-" + name, bytes([0x01]) + body)


def rules_seed(fields, kinds=None, default_entity="", extra="", metadata=()):
    """fields: external_id, account_id, entity_id, type, last_four, replacement_for (str or None = absent)."""
    kind_bytes = bytearray(kinds or [])
    values = []
    for index, value in enumerate(fields):
        if len(kind_bytes) <= index:
            kind_bytes.append(0 if value is None else 1)
        values.append((value or "").encode())
    segments = [bytes(kind_bytes)] + values + [default_entity.encode(), extra.encode()]
    for key, value in metadata:
        segments += [key.encode(), value.encode()]
    return b"\xff".join(segments)


def rules_seeds():
    with open("samples/cards.csv", newline="", encoding="utf-8") as f:
        import csv
        rows = list(csv.reader(f))
    for index, row in enumerate(rows[1:]):
        row = row + [""] * (8 - len(row))
        fields = [value if value else None for value in row[:6]]
        metadata = [("cost_center", row[6]), ("note", row[7])]
        write("rules", f"sample-{index:02}", rules_seed(fields, metadata=metadata))
    good = ["e1", "account_a", "entity_e", "virtual", "0042", None]
    hostile = {
        "good-with-replacement": rules_seed(good[:5] + ["card_abc123"]),
        "default-entity": rules_seed(["e1", "account_a", None, None, "0042", None], default_entity="entity_default"),
        "pan-spaces": rules_seed(["4111 1111 1111 1111"] + good[1:]),
        "pan-dashes-in-metadata": rules_seed(good, metadata=[("note", "paid 4111-1111-1111-1111 ok")]),
        "pan-touching-letters": rules_seed(["PAN4111111111111111x"] + good[1:]),
        "pan-in-key": rules_seed(good, metadata=[("5555555555554444", "v")]),
        "masked": rules_seed(["**** **** **** 1111"] + good[1:], metadata=[("k", "************1111")]),
        "twenty-digits": rules_seed(["41111111111111111111"] + good[1:]),
        "pan-at-cut": rules_seed(["x" * 50 + "4111111111111111111111111111"] + good[1:]),
        "control": rules_seed(["a\x1bb"] + good[1:]),
        "c1-control": rules_seed(["a\u0085"] + good[1:]),
        "whitespace-ends": rules_seed(["\u00a0e1"] + good[1:]),
        "ideographic-space-entity": rules_seed(good[:2] + ["entity_a\u3000b"] + good[3:]),
        "card-prefix": rules_seed(["card_1"] + good[1:]),
        "too-long": rules_seed(["é" * 256] + good[1:], metadata=[("k" * 41, "v"), ("k", "v" * 501)]),
        "entity-33": rules_seed(good[:2] + ["entity_" + "x" * 34] + good[3:]),
        "physical": rules_seed(good[:3] + ["physical"] + good[4:]),
        "arabic-digits": rules_seed(good[:4] + ["\u0660\u0661\u0662\u0663"] + good[5:]),
        "last-four-newline": rules_seed(good[:4] + ["004\n"] + good[5:]),
        "wrong-types": rules_seed(good, kinds=[5, 6, 7, 15, 5, 6, 0, 5, 6, 7]),
        "details-not-object": rules_seed(good, kinds=[1, 1, 1, 1, 1, 1, 0x10]),
        "metadata-not-object-extra": rules_seed(good, kinds=[1, 1, 1, 1, 1, 1, 0x20 | 0x40 | 0x80], extra="status"),
        "extra-with-pan": rules_seed(good, kinds=[1, 1, 1, 1, 1, 1, 0x40], extra="details.4111111111111111"),
        "fifty-one-keys": rules_seed(good, metadata=[(f"k{i}", "v") for i in range(51)]),
        "formula-cells": rules_seed(["=1+2"] + good[1:], metadata=[("a", "''=x"), ("b", "-12.5"), ("c", "'@y"), ("d", "\tz")]),
        "empty-and-repeated-keys": rules_seed(good, metadata=[("", "v"), ("k", ""), ("k", "w"), ("k", "x")]),
        "canonical-equivalents": rules_seed(["e\u0301"] + good[1:], metadata=[("\u00e9", "1"), ("e\u0301", "2")]),
        "quotes-and-backslashes": rules_seed(['a"b\\c'] + good[1:], metadata=[('"', "\\"), ("\x00", "\x7f")]),
    }
    for name, body in hostile.items():
        write("rules", "hostile-" + name, body)
    # An input that once broke an invariant (also a test in the normal suite: SpreadsheetCSVTests).
    write("rules", "regression-apostrophes-formula", b"''=x")


def main():
    # Inputs a fuzz run found (`regression-*`, each also a test in the normal suite) are kept as they are.
    for folder in ("csv", "jsonl", "rules"):
        path = os.path.join(ROOT, folder)
        os.makedirs(path, exist_ok=True)
        for name in os.listdir(path):
            if not name.startswith("regression-"):
                os.remove(os.path.join(path, name))
    csv_seeds()
    jsonl_seeds()
    rules_seeds()


if __name__ == "__main__":
    main()
