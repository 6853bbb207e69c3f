package enum CardUploadStoreNamespace {}
