import Testing

@Test func CardUploadStoreTestsPlaceholder() {}
