import CardUploadReport

extension RunMetrics {
    /// Counts `upload`'s rows: replayed and rejected as they are, created and updated only when committed (an
    /// atomic run that committed nothing, or a dry run, created no card).
    package mutating func add(_ upload: UploadResult) {
        rows.replayed += upload.counts.replayed
        rows.rejected += upload.counts.rejected
        if upload.committed {
            rows.created += upload.counts.created
            rows.updated += upload.counts.updated
        }
    }

    /// Counts an inbox run: each file's rows, and its files done, failed and left in INBOX.
    package mutating func add(_ run: InboxResult) {
        for file in run.files { add(file.upload) }
        files = (done: run.done, failed: run.failed, left: run.left)
    }
}
