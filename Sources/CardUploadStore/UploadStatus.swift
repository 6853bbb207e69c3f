/// An upload's status, as the store records it: `running` while its process loads it, then how it ended.
package enum UploadStatus: String, Sendable {
    case running
    case completed
    case completedWithErrors = "completed_with_errors"
    case failed
    case interrupted
}
