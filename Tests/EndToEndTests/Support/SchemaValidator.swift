import Foundation

/// Validates JSON documents against one of `schemas/*.json` with Python's `jsonschema` (Draft 2020-12).
enum SchemaValidator {
    /// Checks the schema (`check_schema`), then validates each document, parsed strictly (a duplicate key or NaN is
    /// an error); returns the violations by check name, each `/json/pointer: message`. Throws when python3 or
    /// jsonschema is missing, or a document cannot be parsed: the test fails.
    static func violations(_ checks: [SchemaCheck], schema: String, in folder: TemporaryDirectory) throws -> [String: [String]] {
        let request = checks.map { ["name": $0.name, "path": $0.path, "patch": $0.patch.map(\.json)] as [String: Any] }
        let requestPath = folder.path(".schema-request-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: request).write(to: URL(fileURLWithPath: requestPath))
        let outputPath = folder.path(".schema-result-\(UUID().uuidString).json")
        let errorPath = folder.path(".schema-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, schema, requestPath, outputPath]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = errorHandle
        process.standardError = errorHandle
        try process.run()
        process.waitUntilExit()
        try errorHandle.close()
        let stderr = String(decoding: try Data(contentsOf: URL(fileURLWithPath: errorPath)), as: UTF8.self)
        switch process.terminationStatus {
        case 0: break
        case 127: throw TestFailure("python3 is not installed: the schema cannot be checked (\(stderr))")
        case 3: throw TestFailure("Python's jsonschema is not installed (pip install jsonschema): \(stderr)")
        default: throw TestFailure("schema validation did not run (exit \(process.terminationStatus)): \(stderr)")
        }
        let output = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: outputPath)))
        guard let result = output as? [String: [String]], Set(result.keys) == Set(checks.map(\.name)) else {
            throw TestFailure("unexpected validator output: \(output)")
        }
        return result
    }

    private static let script = #"""
import json, sys
try:
    from jsonschema import Draft202012Validator
except ImportError as error:
    sys.stderr.write("%s\n" % error)
    sys.exit(3)

def strict_object(pairs):
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key among %r" % keys)
    return dict(pairs)

def no_constant(name):
    raise ValueError("not JSON: %s" % name)

def parse(text):
    return json.loads(text, object_pairs_hook=strict_object, parse_constant=no_constant)

schema_path, request_path, output_path = sys.argv[1:4]
with open(schema_path, encoding="utf-8") as f:
    schema = parse(f.read())
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
with open(request_path, encoding="utf-8") as f:
    request = json.load(f)
result = {}
for check in request:
    with open(check["path"], encoding="utf-8", errors="strict") as f:
        document = parse(f.read())
    for change in check["patch"]:
        *parents, last = change["path"]
        target = document
        for key in parents:
            target = target[key]
        if change["op"] == "delete":
            del target[last]
        else:
            target[last] = json.loads(change["value"])
    result[check["name"]] = sorted(
        "/%s: %s" % ("/".join(str(part) for part in error.absolute_path), error.message)
        for error in validator.iter_errors(document))
with open(output_path, "w", encoding="utf-8") as f:
    json.dump(result, f)
"""#
}
