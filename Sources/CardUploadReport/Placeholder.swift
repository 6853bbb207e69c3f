package enum CardUploadReportNamespace {}
