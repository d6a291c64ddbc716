namespace OpenCkv.Client.Alerts;

/// <summary>
/// The stable kebab-case codes of warnings and notifications (DESIGN §5). Scripts, `--json` output (`reasons`)
/// and outside suites rely on them: add codes freely, rename none.
/// </summary>
public static class AlertCode
{
    // Warnings: something is wrong.

    /// <summary>A KEYTRANS proof, head signature or freshness check failed (KT §13): the server's answer is not provable.</summary>
    public const string ProofFailed = "proof-failed";

    /// <summary>The record is not signed by the account key it names.</summary>
    public const string BadSignature = "bad-signature";

    /// <summary>The record lists a device the account key never signed.</summary>
    public const string UnknownDevice = "unknown-device";

    /// <summary>The record's counter is lower than one already seen, or it does not follow the record before it.</summary>
    public const string CounterRegression = "counter-regression";

    /// <summary>The account key's chain of cross-signatures does not verify.</summary>
    public const string BrokenChain = "broken-chain";

    /// <summary>A device's proof of possession does not verify, or a device appears twice.</summary>
    public const string BadDevice = "bad-device";

    /// <summary>The record was made for another handle or version, or does not decode.</summary>
    public const string MalformedRecord = "malformed-record";

    /// <summary>The account key changed without a cross-signature from the pinned key (an account reset, or an attack).</summary>
    public const string UncrossSignedKeyChange = "uncross-signed-key-change";

    /// <summary>CKV shown off for a contact without a valid signature of the account key.</summary>
    public const string UnsignedOptOut = "unsigned-opt-out";

    /// <summary>The handle cannot be proven in the log (no record, or the log unreachable past the grace period).</summary>
    public const string Unavailable = "unavailable";

    /// <summary>Two validly signed heads disagree about the log at one size.</summary>
    public const string Fork = "fork";

    /// <summary>A contact's gossiped distinguished heads never share a tree size with this device's view, even after fresh walks.</summary>
    public const string HeadsUnlinkable = "heads-unlinkable";

    /// <summary>This account's own record lists a device or key the keychain circle does not know.</summary>
    public const string OwnAccountMismatch = "own-account-mismatch";

    /// <summary>The server presents a log configuration other than the pinned one.</summary>
    public const string ConfigurationChanged = "configuration-changed";

    /// <summary>Three on-device comparisons in a row were aborted after the commitment.</summary>
    public const string ComparisonAborted = "comparison-aborted";

    /// <summary>A message came from a device outside the sender's verified record, or its signature failed.</summary>
    public const string UnverifiedSender = "unverified-sender";

    /// <summary>An on-device comparison showed different codes on the two devices.</summary>
    public const string ComparisonMismatch = "comparison-mismatch";

    // Notifications: something changed.

    /// <summary>The contact turned CKV off, signed by their account key.</summary>
    public const string ContactTurnedOff = "contact-turned-off";

    /// <summary>The contact's verification code changed through a cross-signed key rotation.</summary>
    public const string CodeChanged = "code-changed";

    /// <summary>The contact removed the handle (a signed tombstone).</summary>
    public const string HandleRemoved = "handle-removed";

    /// <summary>The device's clock and the log's disagree beyond the log's limits.</summary>
    public const string ClockSkew = "clock-skew";

    /// <summary>Messages from a device are missing: its counter jumped.</summary>
    public const string MessagesMissing = "messages-missing";

    /// <summary>The severity each code has.</summary>
    public static AlertSeverity SeverityOf(string code) => code switch
    {
        ContactTurnedOff or CodeChanged or HandleRemoved or ClockSkew or MessagesMissing => AlertSeverity.Notification,
        _ => AlertSeverity.Warning,
    };
}
