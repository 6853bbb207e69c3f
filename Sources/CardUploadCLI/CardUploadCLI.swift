/// The command-line interface: argument parsing, commands, and the one place errors become exit codes.
public enum CardUploadCLI {
    public static func main(_ arguments: [String]) -> Int32 { 0 }
}
