import Foundation

/// A progress line on stderr. On a terminal it is rewritten in place; when stderr is a file or a
/// pipe (a log, CI), `\r` rewrites would pile up into one unreadable line, so each update becomes a
/// line of its own, at most one per `interval` seconds, and `finish` writes the last state.
final class StatusLine {
    let terminal = isatty(STDERR_FILENO) != 0
    private let interval: TimeInterval
    private var pending: String?
    private var lastLogged = Date.distantPast
    private let started = Date()

    init(interval: TimeInterval = 10) { self.interval = interval }

    /// Seconds since this line was made (never 0, so rates can divide by it).
    var elapsed: TimeInterval { max(Date().timeIntervalSince(started), 1e-9) }

    func update(_ text: String) {
        if terminal { return write("\r\u{1B}[2K" + text) }
        pending = text
        if Date().timeIntervalSince(lastLogged) >= interval { logPending() }
    }

    /// Clears the line on a terminal so that other output starts at column 0 (no-op in a log).
    func clear() { if terminal { write("\r\u{1B}[2K") } }

    /// Ends the line: a newline on a terminal, the last unlogged state in a log.
    func finish() { terminal ? write("\n") : logPending() }

    private func logPending() {
        guard let text = pending else { return }
        write(text + "\n")
        pending = nil
        lastLogged = Date()
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
