import CardUploadCLI
import Foundation

exit(CardUploadCLI.main(Array(CommandLine.arguments.dropFirst())))
