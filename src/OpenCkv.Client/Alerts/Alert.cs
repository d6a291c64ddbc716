namespace OpenCkv.Client.Alerts;

/// <summary>Whether an alert means "something is wrong" or "something changed that you should know" (DESIGN §5).</summary>
public enum AlertSeverity
{
    /// <summary>Something is wrong: the chat shows a warning until the person acknowledges it or re-verifies.</summary>
    Warning,

    /// <summary>Something changed: shown once in the list, never a warning.</summary>
    Notification,
}

/// <summary>One persisted alert: when, about whom (the contact's label, or null for the device's own account), why.</summary>
/// <param name="Id">The id `ckv alerts --ack` takes.</param>
/// <param name="TimeMs">When it was raised (the device's clock), milliseconds since the Unix epoch.</param>
/// <param name="Severity">Warning or notification.</param>
/// <param name="Code">The stable kebab-case code (<see cref="AlertCode"/>).</param>
/// <param name="Label">The handle it is about; null for alerts about this device's own account or the log.</param>
/// <param name="Detail">The evidence in words: what was expected and what the server showed.</param>
/// <param name="Acknowledged">Whether the person acknowledged it (or re-verified the contact).</param>
public sealed record Alert(long Id, ulong TimeMs, AlertSeverity Severity, string Code, string? Label, string Detail, bool Acknowledged);
