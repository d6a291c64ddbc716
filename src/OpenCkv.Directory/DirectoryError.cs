namespace OpenCkv.Directory;

/// <summary>Why the directory refused a request. The HTTP layer maps each to a status and a problem type.</summary>
public enum DirectoryError
{
    /// <summary>The input is not well formed (400).</summary>
    Malformed,

    /// <summary>The handle is not a valid phone number or mail address (400).</summary>
    InvalidHandle,

    /// <summary>No code was requested for the handle, or it expired (403).</summary>
    NoCode,

    /// <summary>The one-time code is wrong (403).</summary>
    WrongCode,

    /// <summary>Too many wrong codes: request a new one (429).</summary>
    TooManyAttempts,

    /// <summary>The second factor is missing or wrong (403).</summary>
    WrongSecondFactor,

    /// <summary>The handle already belongs to a live account (409).</summary>
    HandleTaken,

    /// <summary>The account or device id is already in use (409).</summary>
    IdTaken,

    /// <summary>No such account, device or handle (404).</summary>
    NotFound,

    /// <summary>The record fails its own checks (docs/ckv-protocol.md §2.5) or the transition table (§2.7) (422).</summary>
    RecordRejected,

    /// <summary>The account does not meet the requirements for turning CKV on; every blocker is listed (409).</summary>
    RequirementsNotMet,

    /// <summary>The request is not allowed in the account's current state (409).</summary>
    NotAllowed,

    /// <summary>The recipient's mailbox is full until it acknowledges what it holds (409).</summary>
    MailboxFull,

    /// <summary>The log is not accepting writes (503).</summary>
    Unavailable,

    /// <summary>
    /// This server is a read replica: changes go to the server holding the sequencer lease, whose address is the
    /// evidence when known (503).
    /// </summary>
    ReadReplica,

    /// <summary>The log was handed over to a new one and takes no more changes (410).</summary>
    LogMoved,
}

/// <summary>A refused request, with the reason and, where it helps, the evidence (for example the blockers).</summary>
public sealed class DirectoryException(DirectoryError error, string detail, object? evidence = null) : Exception(detail)
{
    /// <summary>Why.</summary>
    public DirectoryError Error { get; } = error;

    /// <summary>What supports the refusal (for example the list of blocking devices), or null.</summary>
    public object? Evidence { get; } = evidence;
}
