@testable import CardUploadLoad
import CardUploadModel
import CardUploadStore
import Foundation
import Testing

/// A temporary folder of one test, removed when the test lets go of it.
final class LoadFolder {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("card-upload-load-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The path of `relative` inside the folder.
    func path(_ relative: String) -> String { root + "/" + relative }

    /// The store's path (not created until a load creates it).
    var db: String { path("cards.sqlite") }

    /// Writes `text` to `relative` (folders created) and returns its path.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let target = path(relative)
        try FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: target))
        return target
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    func read(_ relative: String) throws -> String { try String(contentsOfFile: path(relative), encoding: .utf8) }

    func bytes(_ relative: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path(relative))) }

    /// The names in the folder `relative` that do not start with `.`, sorted.
    func names(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(relative))) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }
}

/// Card files as ops send them.
enum Cards {
    static let header = "external_id,account_id,entity_id,details.last_four,metadata.team\n"

    /// One valid CSV row of key `key` in `entity_e`.
    static func row(_ key: String, lastFour: String = "0001", team: String = "ops", entity: String = "entity_e") -> String {
        "\(key),account_a,\(entity),\(lastFour),\(team)\n"
    }

    /// The same card as a JSON line.
    static func jsonLine(_ key: String, lastFour: String = "0001", team: String = "ops", entity: String = "entity_e") -> String {
        #"{"external_id":"\#(key)","account_id":"account_a","entity_id":"\#(entity)","details":{"last_four":"\#(lastFour)"},"metadata":{"team":"\#(team)"}}"#
            + "\n"
    }

    /// A CSV of `count` valid rows `k0`, `k1`, ….
    static func csv(count: Int, prefix: String = "k") -> String {
        header + (0..<count).map { row("\(prefix)\($0)") }.joined()
    }
}

/// Runs one load the way `process FILE` does.
func load(
    _ file: String, into db: String, _ options: LoadOptions = LoadOptions(), stop: StopToken = StopToken(),
    progress: (any ProgressSink)? = nil
) -> UploadResult {
    let store = LoadStore(path: db, dryRun: options.dryRun)
    defer { store.discard() }
    return UploadJob(file: file, options: options, store: store, stop: stop, progress: progress).run()
}

/// The store as a reader sees it afterwards: opened read-only, separately from the load's connection.
final class StoreProbe {
    let database: Database

    init(_ path: String) throws {
        try #require(FileManager.default.fileExists(atPath: path), "no store at \(path)")
        database = try Database(path: path, mode: .readOnly)
    }

    func count(_ sql: String) throws -> Int {
        Int(try database.prepare(sql).queryOne([]) { $0.integer(0) ?? -1 } ?? -1)
    }

    var cardCount: Int { get throws { try count("SELECT count(*) FROM cards") } }

    var uploadCount: Int { get throws { try count("SELECT count(*) FROM uploads") } }

    func card(_ key: String, entity: String = "entity_e") throws -> Card? {
        try CardStore(database: database).card(entityID: entity, externalID: key)
    }

    /// Every stored card's external id, sorted.
    func keys() throws -> [String] {
        var keys: [String] = []
        try CardStore(database: database).forEachCard(matching: .init()) { keys.append($0.externalID ?? "") }
        return keys.sorted()
    }

    func upload(_ id: String?) throws -> UploadRecord {
        let id = try #require(id, "the load recorded no upload")
        return try #require(try UploadLog(database: database).upload(id: id), "upload \(id) is not in the store")
    }

    /// The recorded rows of an upload in line order: "line outcome codes", codes joined by `,`.
    func outcomes(_ id: String?) throws -> [String] {
        let id = try #require(id)
        var rows: [String] = []
        try UploadLog(database: database).forEachRow(uploadID: id) { row in
            rows.append("\(row.line) \(row.outcome.rawValue) \(Self.codes(row.errors))".trimmingCharacters(in: .whitespaces))
        }
        return rows
    }

    /// The card ids of an upload's recorded rows, in line order.
    func cardIDs(_ id: String?) throws -> [String?] {
        let id = try #require(id)
        var ids: [String?] = []
        try UploadLog(database: database).forEachRow(uploadID: id) { ids.append($0.cardID) }
        return ids
    }

    private static func codes(_ errors: StoredErrors) -> String {
        guard case .errors(let list) = errors else { return "unreadable" }
        return list.map(\.code.rawValue).joined(separator: ",")
    }
}

/// Counts by outcome, for comparing with a result's or an upload's.
func counts(created: Int = 0, replayed: Int = 0, updated: Int = 0, rejected: Int = 0) -> UploadCounts {
    var counts = UploadCounts()
    counts.created = created
    counts.replayed = replayed
    counts.updated = updated
    counts.rejected = rejected
    return counts
}
