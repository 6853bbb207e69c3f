import Testing

@Test func CardUploadInputTestsPlaceholder() {}
