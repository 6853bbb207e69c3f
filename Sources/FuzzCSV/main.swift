import CLibFuzzer
import Foundation

// SwiftPM names this module's entry point and links it as `main`, so libFuzzer's own `main` is not
// used: hand the arguments to libFuzzer's driver, with the target's test function.
var arguments = CommandLine.argc
var argumentValues: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&arguments, &argumentValues, fuzzCSV))
