import Foundation
import Testing

/// Runs the binary with `posix_spawn` and watches its peak resident memory (`VmHWM` in `/proc/<pid>/status`)
/// until it exits (Foundation's `Process` does not give it). Its standard input can be fed by a generator: a
/// shell command whose standard output is piped straight into it, so a gibibyte of input never touches
/// the disk and never passes through the test process.
struct MeasuredRun {
    var status: Int32
    var stderr: String
    /// The binary's peak resident set (`VmHWM`), in bytes.
    var peakResidentBytes: Int

    /// Runs `card-upload arguments` (paths in them absolute: the process starts in the test's own folder);
    /// `directory` holds its stderr while it runs. When `generator` is given, `/bin/sh -c generator` writes
    /// its standard input.
    static func run(_ arguments: [String], in directory: URL, generator: String? = nil) throws -> MeasuredRun {
        let stderrPath = directory.appendingPathComponent(".stderr-\(UUID().uuidString)").path
        defer { unlink(stderrPath) }
        var input: (read: Int32, write: Int32) = (-1, -1)
        if generator != nil {
            var ends: [Int32] = [-1, -1]
            try #require(pipe(&ends) == 0, "pipe: \(String(cString: strerror(errno)))")
            input = (ends[0], ends[1])
            // Close-on-exec: a process another test starts meanwhile must not hold the write end open.
            _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        }
        defer {
            if input.read >= 0 { close(input.read) }
            if input.write >= 0 { close(input.write) }
        }
        var generatorPID: pid_t = 0
        if let generator {
            generatorPID = try spawn(
                "/bin/sh", ["-c", generator], stdin: nil, stdout: input.write, stderrPath: "/dev/null")
        }
        let pid = try spawn(
            CardUploadBinary.url.path, arguments, stdin: input.read, stdout: nil, stderrPath: stderrPath)
        // Only the children hold the pipe now: the binary sees its end when the generator finishes.
        if input.read >= 0 { close(input.read); input.read = -1 }
        if input.write >= 0 { close(input.write); input.write = -1 }

        // The peak is the binary's own high-water mark (VmHWM), read until it exits. Not wait4's ru_maxrss:
        // posix_spawn starts the child in the parent's address space (CLONE_VM), and exec carries that
        // space's high-water mark into ru_maxrss, so it would report the test process's memory.
        var peak = 0
        while let state = processStatus(pid) {
            peak = max(peak, state.highWaterBytes)
            if state.isZombie { break }
            usleep(10_000)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            try #require(errno == EINTR, "waitpid: \(String(cString: strerror(errno)))")
        }
        if generatorPID > 0 {
            var generatorStatus: Int32 = 0
            while waitpid(generatorPID, &generatorStatus, 0) < 0 && errno == EINTR {}
        }
        // A signal is reported as 128 + its number, the way a shell shows it.
        let exited = status & 0x7f == 0
        return MeasuredRun(
            status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f),
            stderr: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: stderrPath))) ?? Data(), as: UTF8.self),
            peakResidentBytes: peak)
    }

    /// From `/proc/<pid>/status`: the peak resident set so far (0 once the process is a zombie) and
    /// whether it has exited; nil when it cannot be read.
    private static func processStatus(_ pid: pid_t) -> (highWaterBytes: Int, isZombie: Bool)? {
        let descriptor = open("/proc/\(pid)/status", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 8192)
        let count = read(descriptor, &bytes, bytes.count)
        guard count > 0 else { return nil }
        var highWater = 0
        var isZombie = false
        for line in String(decoding: bytes[..<count], as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("State:") { isZombie = line.contains("Z") || line.contains("X") }
            if line.hasPrefix("VmHWM:") {
                highWater = (Int(line.dropFirst("VmHWM:".count).filter(\.isNumber)) ?? 0) * 1024
            }
        }
        return (highWater, isZombie)
    }

    /// Starts `executable` with its standard streams set up; returns its pid.
    private static func spawn(
        _ executable: String, _ arguments: [String], stdin: Int32?, stdout: Int32?, stderrPath: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin {
            posix_spawn_file_actions_adddup2(&actions, stdin, STDIN_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        }
        if let stdout {
            posix_spawn_file_actions_adddup2(&actions, stdout, STDOUT_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        // SIGPIPE back to its default in the children (the generator ends when its reader does).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "CARD_UPLOAD_DB")
        // Built with --sanitize=address, the binary would keep 256 MiB of freed memory in quarantine and the
        // peak would measure that; 16 MiB still lets a chunk-sized leak show (ignored by other builds).
        environment["ASAN_OPTIONS"] = "quarantine_size_mb=16" + (environment["ASAN_OPTIONS"].map { ":" + $0 } ?? "")
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        try #require(result == 0, "posix_spawn \(executable): \(String(cString: strerror(result)))")
        return pid
    }
}
