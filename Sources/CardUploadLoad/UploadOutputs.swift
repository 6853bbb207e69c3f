import CardUploadModel
import CardUploadReport
import CardUploadStore

/// The files `process` writes for one upload (SPEC §6): all opened before the first row is read, so one
/// that cannot be created stops the run before anything is loaded; the rejects file filled row by row,
/// each batch's rows kept once it is committed; the report, results and HTML rebuilt from the store at
/// the end.
final class UploadOutputs {
    private let report: OutputFile?
    private let rejects: OutputFile?
    private let results: OutputFile?
    private let html: OutputFile?
    private var rejectsWriter: RejectsWriter?
    private let reportRows: ReportRows

    init(_ paths: OutputPaths, reportRows: ReportRows = .all) throws(OutputError) {
        self.reportRows = reportRows
        report = try paths.report.map { path throws(OutputError) in try OutputFile(path: path) }
        rejects = try paths.rejects.map { path throws(OutputError) in try OutputFile(path: path) }
        results = try paths.results.map { path throws(OutputError) in try OutputFile(path: path) }
        html = try paths.html.map { path throws(OutputError) in try OutputFile(path: path) }
    }

    /// Whether a rejects file was asked for (the readers then keep what it needs).
    var wantsRejects: Bool { rejects != nil }

    /// Starts the rejects file once the input's shape is known (after the CSV header).
    func startRejects(form: RejectsWriter.Form) throws(OutputError) {
        guard let rejects, rejectsWriter == nil else { return }
        rejectsWriter = try RejectsWriter(output: rejects, form: form)
    }

    /// Appends one rejected row as it comes (pending, after `keepRejects()`, until its batch is kept).
    func writeRejected(_ record: RawRecord, errors: [RowError]) throws(OutputError) {
        try rejectsWriter?.write(record, errors: errors)
    }

    /// Keeps the rejected rows written so far (their batch is committed). From the first call on, rows
    /// written after the last call are pending: the rejects file is put in place without them.
    func keepRejects() throws(OutputError) {
        try rejects?.keep()
    }

    /// Completes the results, HTML and rejects files (rebuilt from the store, or filled during the load).
    /// Call before `finishReport`: when one of them fails the upload becomes `failed` with
    /// `output_error`, and the report, written last, must say so.
    func finishFiles(uploadID: String, log: UploadLog) throws {
        var firstError: (any Error)?
        func attempt(_ body: () throws -> Void) {
            do {
                try body()
            } catch let error as OutputError where error.isBrokenPipe {
                // The reader of standard output went away: the load itself is complete.
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let results {
            attempt {
                try ResultsWriter.write(uploadID: uploadID, log: log, to: results)
                try results.commit()
            }
        }
        if let html {
            attempt {
                try HTMLReportWriter.write(uploadID: uploadID, log: log, to: html)
                try html.commit()
            }
        }
        // Rows of a batch that was not committed (a stop, a failure) are left out.
        if let rejects { attempt { try rejects.commit() } }
        if let firstError { throw firstError }
    }

    /// Writes the JSON report from the store, in its final state. A report on standard output whose
    /// reader went away (`| head`) is not a failure.
    func finishReport(uploadID: String, log: UploadLog) throws {
        guard let report else { return }
        do {
            try ReportWriter.write(uploadID: uploadID, log: log, rows: reportRows, to: report)
            try report.commit()
        } catch let error as OutputError where error.isBrokenPipe {
            // The load is complete; the reader only stopped reading.
        }
    }
}
