import CardUploadModel

/// The outcome of one field's checks: its value, absent, or its one error.
enum FieldCheck<Value> {
    case valid(Value)
    /// An optional field that was not given (absent, `null` or `""`).
    case absent
    case invalid(RowError)

    /// The value, or nil — appending the error, if any, to `errors`.
    func value(collecting errors: inout [RowError]) -> Value? {
        switch self {
        case .valid(let value): return value
        case .absent: return nil
        case .invalid(let error):
            errors.append(error)
            return nil
        }
    }
}
