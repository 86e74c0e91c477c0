import CDRModel

/// How a FreeSWITCH hangup cause reads as a disposition, for every FreeSWITCH format.
public enum FreeSWITCHHangupCause {
    /// `NORMAL_CLEARING` with billsec > 0 → answered, `USER_BUSY` → busy, `NO_ANSWER`,
    /// `ORIGINATOR_CANCEL` and `NO_USER_RESPONSE` → no answer, anything else (also a missing cause,
    /// and `NORMAL_CLEARING` with billsec 0) → failed.
    public static func disposition(_ cause: String?, billsec: Int32) -> Disposition {
        switch cause {
        case "NORMAL_CLEARING" where billsec > 0: return .answered
        case "USER_BUSY": return .busy
        case "NO_ANSWER", "ORIGINATOR_CANCEL", "NO_USER_RESPONSE": return .noAnswer
        default: return .failed
        }
    }
}
