"""Validates YAML files against a JSON Schema as third-party tools do: PyYAML (a standard
YAML 1.1 parser, not cfp-verify's own) reads each file, dates become ISO strings (as
check-jsonschema and editors give them), and `jsonschema` (Draft 2020-12) validates.

Usage: python3 standard_schema.py SCHEMA.json FILE... ; prints one JSON object: for each
file, the list of its errors (`"unreadable: …"` when PyYAML cannot read it).
"""

import datetime
import json
import sys

import jsonschema
import yaml


def plain(value):
    """The YAML value as JSON data: dates and times as ISO 8601 strings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    out = {}
    for path in sys.argv[2:]:
        try:
            with open(path, "rb") as f:
                data = plain(yaml.safe_load(f))
        except Exception as e:  # any YAML error: the file is not for this test
            out[path] = [f"unreadable: {type(e).__name__}"]
            continue
        out[path] = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(data)
        ]
    print(json.dumps(out, ensure_ascii=False, indent=1))


main()
