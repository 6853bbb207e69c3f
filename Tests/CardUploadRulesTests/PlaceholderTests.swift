import Testing

@Test func CardUploadRulesTestsPlaceholder() {}
