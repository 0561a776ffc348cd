import CStopSignal
import Foundation

/// SIGINT (Ctrl-C) and SIGTERM (a scheduler's preemption, torchrun passing a stop on) as a request
/// to stop cleanly: the trainer finishes the step it is in, saves a checkpoint there and returns,
/// so `--resume` loses nothing. A second signal ends the process at once.
public enum StopSignal {
    /// Call once a run's setup is done (until then a signal stops the process as usual).
    public static func install() { stop_signal_install() }

    /// The first signal received since `install()`, if any.
    public static var received: Int32? {
        let s = stop_signal_received()
        return s == 0 ? nil : s
    }

    static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(signal)"
        }
    }
}
