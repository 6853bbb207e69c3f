import Testing

@Test func CardUploadCLITestsPlaceholder() {}
