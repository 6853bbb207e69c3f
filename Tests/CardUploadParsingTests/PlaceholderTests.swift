import Testing

@Test func CardUploadParsingTestsPlaceholder() {}
