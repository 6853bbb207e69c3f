import Foundation

/// A metrics file as Prometheus' own Python client parses it (`prometheus_client.parser`): each family's
/// type, help text and samples. Throws when python3 or prometheus_client is missing or the text does not
/// parse: the test fails, it never skips.
struct PrometheusText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Family {
        var type: String
        var help: String
        var samples: [Sample]
    }

    var families: [String: Family]

    init(file: String, in folder: TemporaryDirectory) throws {
        let run = try CardUploadBinary.run(
            ["python3", "-c", Self.script, file], in: folder.url, executable: "/usr/bin/env")
        switch run.status {
        case 0: break
        case 3: throw TestFailure("Python's prometheus_client is not installed (pip install prometheus_client): \(run.stderr)")
        default: throw TestFailure("prometheus_client could not parse \(file) (exit \(run.status)): \(run.stderr)")
        }
        guard let parsed = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: [String: Any]] else {
            throw TestFailure("unexpected parser output: \(run.stdout)")
        }
        families = try parsed.mapValues { family in
            guard let type = family["type"] as? String, let help = family["help"] as? String,
                  let samples = family["samples"] as? [[String: Any]] else { throw TestFailure("bad family: \(family)") }
            return Family(type: type, help: help, samples: try samples.map { sample in
                guard let name = sample["name"] as? String, let labels = sample["labels"] as? [String: String],
                      let value = sample["value"] as? Double else { throw TestFailure("bad sample: \(sample)") }
                return Sample(name: name, labels: labels, value: value)
            })
        }
    }

    /// The value of the sample `name` with exactly `labels`, nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        families.values.flatMap(\.samples).first { $0.name == name && $0.labels == labels }?.value
    }

    private static let script = #"""
import json, sys
try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError as error:
    print(error, file=sys.stderr)
    sys.exit(3)
text = open(sys.argv[1], encoding="utf-8").read()
families = {}
for family in text_string_to_metric_families(text):
    families[family.name] = {
        "type": family.type, "help": family.documentation,
        "samples": [{"name": s.name, "labels": dict(s.labels), "value": float(s.value)} for s in family.samples],
    }
print(json.dumps(families))
"""#
}
