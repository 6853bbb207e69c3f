/// Why a JSON text was rejected: what was wrong and the 0-based byte offset where it was found.
///
/// The message names the rule that was broken ("a trailing comma", "a lone surrogate escape"),
/// never text from the input: a JSON line may hold card numbers.
package struct JSONSyntaxError: Error, Sendable, Equatable {
    package var message: String
    /// 0-based offset, in the parsed bytes, of the byte where the problem was found.
    package var offset: Int

    package init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }
}
